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

/** Where the first string holding a control character sits in a parsed JSON value ("url", "events.0", "" for the root); undefined when none does. */
export function controlCharPath(value: unknown, path: string[] = []): string | undefined {
  if (typeof value === 'string') return hasControlChars(value) ? path.join('.') : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (hasControlChars(key)) return [...path, stripControlChars(key)].join('.');
    const found = controlCharPath(item, [...path, key]);
    if (found !== undefined) return found;
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

