import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inertName } from '../../lib/notifications/inert-name';

// What mail clients turn into links: a scheme with "//", "www.", a host name (a dot between word characters)
// and an email address. Deliberately broader than any linkifier.
const LINK_LIKE = [
  /[a-z][a-z\d+.-]*:\/\//iu, // https://…
  /www\./iu,
  /[\p{L}\p{N}\p{M}_-][.\u3002\uFF0E\uFF61][\p{L}\p{N}\p{M}_-]/u, // evil.example
  /[^\s@]+@[^\s@]+/u, // someone@evil.example
  /[@\uFF20\uFE6B]/u, // any at sign at all
];
const linkLike = (text: string) => LINK_LIKE.find((re) => re.test(text));

// Full-width forms (U+FF01…U+FF5E): "ｈｔｔｐｓ：／／ｅｖｉｌ．ｅｘａｍｐｌｅ" reads as a URL to some clients.
const fullWidth = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const hidden = ['\u200b', '\u200d', '\u202e', '\u2066', '\ufeff', '\u00ad', '\n', '\r\n', '\t', '\u2028'];

/** Names a provider could send: free text of every kind with URLs, hosts and addresses mixed in, plain or disguised. */
const hostileName = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.emailAddress(),
      fc.domain(),
      fc.domain().map((d) => `www.${d}`),
      fc.webUrl().map(fullWidth),
      fc.emailAddress().map(fullWidth),
      fc.tuple(fc.webUrl(), fc.constantFrom(...hidden)).map(([u, h]) => u.replace(/[:./@]/g, (c) => `${h}${c}${h}`)),
      fc.constantFrom('.', '@', ':', '//', '://', ' ', '\u3002', '\uFF0E', '\uFE52', '\u2024', '\uFE6B', '\u201C', '\u201D', '"', '\u2026'),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''));

describe('inertName', () => {
  it('quotes a plain name and leaves it as it is', () => {
    expect(inertName('Acme')).toBe('“Acme”');
    expect(inertName('  Globex   Corporation ')).toBe('“Globex Corporation”');
    expect(inertName('Müller & Söhne GmbH.')).toBe('“Müller & Söhne GmbH.”');
  });

  it('breaks what would read as a link, an address or a host name', () => {
    expect(inertName('Acme — reconnect at https://evil.example/login')).toBe('“Acme — reconnect at https[:]//evil[.]example/login”');
    expect(inertName('www.evil.example')).toBe('“www[.]evil[.]example”');
    expect(inertName('help@evil.example')).toBe('“help[at]evil[.]example”');
    expect(inertName('ｈｔｔｐｓ：／／ｅｖｉｌ．ｅｘａｍｐｌｅ')).toBe('“https[:]//evil[.]example”');
    expect(inertName('evil\u200b.\u200bexample')).toBe('“evil[.]example”');
  });

  it('keeps to one line, drops invisible characters and keeps its own quotes', () => {
    expect(inertName('Acme\n\nClick below\r\nto\tsign in')).toBe('“Acme Click below to sign in”');
    expect(inertName('Acme\u202Eelif\u202C')).toBe('“Acmeelif”');
    expect(inertName('Acme” and more “quotes')).toBe("“Acme' and more 'quotes”");
  });

  it('cuts a long name at 80 characters with an ellipsis', () => {
    const out = inertName('A'.repeat(200));
    expect(out).toBe(`“${'A'.repeat(79)}…”`);
    expect(out).toHaveLength(82);
    expect(inertName('A'.repeat(80))).toBe(`“${'A'.repeat(80)}”`);
    // Never half of a surrogate pair.
    const emoji = inertName(`${'A'.repeat(78)}😀😀`);
    expect(emoji).toBe(`“${'A'.repeat(78)}…”`);
  });

  it('property: whatever the name, the result reads as no URL, host or address, and is at most 82 characters', () => {
    fc.assert(
      fc.property(hostileName, (name) => {
        const out = inertName(name);
        expect(out.length).toBeLessThanOrEqual(82);
        expect(out.startsWith('“') && out.endsWith('”')).toBe(true);
        expect(out.slice(1, -1)).not.toMatch(/[“”\p{Cc}\p{Cf}\n]/u);
        expect(linkLike(out), `${JSON.stringify(name)} → ${JSON.stringify(out)}`).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });
});
