// components/ui: class lists merge the Tailwind way, and every visible form control in app/ and components/
// is an Input/Select/Checkbox of components/ui/field.tsx (labelled by htmlFor through Field), not a pasted copy.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cn } from '../../components/ui/cn';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    return /\.tsx$/.test(e.name) ? [full] : [];
  });
}

/** Raw <input>/<select>/<textarea> elements outside components/ui, hidden inputs aside. */
function rawControls(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const tags = text.match(/<(input|select|textarea)\b[^>]*>/g) ?? [];
  return tags.filter((tag) => !/type="hidden"/.test(tag)).map((tag) => `${file}: ${tag.slice(0, 80)}`);
}

describe('components/ui', () => {
  it('cn lets a later class win over an earlier one of the same kind, and drops falsy parts', () => {
    expect(cn('block w-full px-2', 'w-24')).toBe('block px-2 w-24');
    expect(cn('p-4', false, undefined, 'sm:p-5')).toBe('p-4 sm:p-5');
  });

  it('form controls come from components/ui/field.tsx, nowhere else', () => {
    const files = ['app', 'components'].flatMap((dir) => sources(dir)).filter((f) => !f.startsWith(path.join('components', 'ui')));
    expect(files.length).toBeGreaterThan(20);
    expect(files.flatMap(rawControls)).toEqual([]);
  });
});
