// URL building shared by providers: joining a base and a path, and refusing paths that escape their base.

export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path}`;
}

/** Throws unless `path` (maybe with a query) stays under the base it is appended to. */
export function assertSafeRelativePath(path: string): void {
  const pathPart = path.split('?')[0];
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(pathPart)) throw new Error('Path must be relative, not a URL');
  if (/[\\#\u0000-\u001f\u007f]/.test(path)) throw new Error('Path contains a forbidden character');
  const decoded = decodeRepeatedly(pathPart);
  if (/\\/.test(decoded) || decoded.startsWith('/')) throw new Error('Path must be relative');
  const segments = decoded.split('/');
  if (segments.some((s, i) => s === '.' || s === '..' || (s === '' && i < segments.length - 1))) {
    throw new Error('Path must not contain empty, "." or ".." segments');
  }
}

// Undo nested percent-encoding ("%252e%252e") so that no encoding layer hides a "..".
function decodeRepeatedly(text: string): string {
  let current = text;
  for (let i = 0; i < 5; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      throw new Error('Path has invalid percent-encoding');
    }
    if (next === current) return current;
    current = next;
  }
  throw new Error('Path is encoded too many times');
}
