// One rule for text arriving from outside (query parameters, form fields, JSON bodies): NUL and the
// other control characters have no place in any of our values, and Postgres refuses NUL outright (a
// 500 if it got that far). Forms and JSON refuse them, naming the field; query parameters, which
// only narrow what a page shows, drop them. Tab, line feed and carriage return are ordinary text.

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const CONTROL_ALL = new RegExp(CONTROL.source, 'g');

export const CONTROL_CHARS_MESSAGE = 'must not contain control characters (such as NUL)';

export function hasControlChars(text: string): boolean {
  return CONTROL.test(text);
}

export function stripControlChars(text: string): string {
  return text.replace(CONTROL_ALL, '');
}

const LINE_BREAKING = /[\t\n\r]/g;

/** A one-line value from a provider (a name, a site, an email): control characters and line breaks dropped. */
export function singleLine(text: string): string {
  return stripControlChars(text).replace(LINE_BREAKING, '');
}

/** How deep a JSON body may nest: far beyond any request of ours, and a bound on the walk below. */
export const MAX_JSON_DEPTH = 32;

export type JsonCheck = { kind: 'control'; path: string } | { kind: 'too_deep' } | undefined;

/**
 * Where the first string (or key) holding a control character sits in a parsed JSON value ("url", "events.0",
 * "" for the root), or that the value nests deeper than MAX_JSON_DEPTH; undefined when neither. Walks with its
 * own stack, so that no nesting can exhaust the call stack.
 */
export function checkJsonText(value: unknown): JsonCheck {
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: item, path } = stack.pop()!;
    if (typeof item === 'string') {
      if (hasControlChars(item)) return { kind: 'control', path: path.join('.') };
      continue;
    }
    if (typeof item !== 'object' || item === null) continue;
    if (path.length >= MAX_JSON_DEPTH) return { kind: 'too_deep' };
    const entries = Object.entries(item);
    for (const [key] of entries) if (hasControlChars(key)) return { kind: 'control', path: [...path, stripControlChars(key)].join('.') };
    // Pushed in reverse: the first field is checked first, as a reader would expect the one named.
    for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i][1], path: [...path, entries[i][0]] });
  }
  return undefined;
}

/** The first form field (name or value) holding a control character; undefined when none does. */
export function controlCharField(form: FormData): string | undefined {
  for (const [name, value] of form.entries()) {
    if (hasControlChars(name) || (typeof value === 'string' && hasControlChars(value))) return stripControlChars(name);
  }
  return undefined;
}

type QueryValue = string | string[] | undefined;

/** A query parameter's text: its first value, control characters dropped, trimmed, cut at `max`; undefined when empty. */
export function queryText(value: QueryValue, max = 200): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  const text = first === undefined ? '' : stripControlChars(first).trim().slice(0, max);
  return text || undefined;
}

/** A query parameter naming a row by its bigint id (1 to 18 digits), else undefined. */
export function queryId(value: QueryValue): string | undefined {
  const text = queryText(value);
  return text && /^[1-9]\d{0,17}$/.test(text) ? text : undefined;
}

