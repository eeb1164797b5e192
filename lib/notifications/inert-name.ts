// Text a provider controls (site names, account emails) as it may appear in a mail: quoted, one line, at most
// 80 characters inside the quotes, and unable to read as a link. Mail clients turn anything that looks like a
// URL, a host name or an address into a link, in the text part and in the HTML alike, so a site named
// "Acme: sign in again at https://evil.example/login" would otherwise put a working link in our mail.
// Our own links are the only links a mail carries (docs/security.md).

/** Characters inside the quotes, the ellipsis included. */
export const INERT_NAME_MAX = 80;

// Control and format characters (bidirectional overrides, zero-width spaces…): they hide or reorder text.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}]/gu;
// Full stops a host name may be written with: after NFKC the full-width and half-width ones are "."; the
// ideographic one is still read as a dot by IDNA.
const HOST_DOT = /[.\u3002](?=[\p{L}\p{N}\p{M}_-])/gu;

/**
 * `name` made inert: NFKC-normalised, whitespace (line breaks included) folded to single spaces, invisible characters dropped, then
 * "://" written "[:]//", "@" written "[at]" and every dot inside a word "[.]" (so "https://evil.example" reads
 * "https[:]//evil[.]example"), cut to 80 characters with an ellipsis and put in curly quotes.
 */
export function inertName(name: string): string {
  const text = name
    .normalize('NFKC')
    .replace(/\s+/gu, ' ')
    .replace(INVISIBLE, '')
    .replace(/ {2,}/gu, ' ')
    .trim()
    // The quotes are ours: a quote inside cannot seem to close them.
    .replace(/["\u201C\u201D\u201E\u201F]/gu, "'")
    .replace(/:(?=\/\/)/gu, '[:]')
    .replace(/@/gu, '[at]')
    .replace(HOST_DOT, '[.]');
  return `\u201C${cap(text)}\u201D`;
}

function cap(text: string): string {
  if (text.length <= INERT_NAME_MAX) return text;
  let end = INERT_NAME_MAX - 1;
  // Never half of a surrogate pair.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end).trimEnd()}\u2026`;
}
