import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connectLinkToken, safeRedirect, safeRedirectPath } from '../../lib/auth/redirect';

const APP = 'https://reconnect.example.com';
const HOME = `${APP}/`;

describe('safeRedirect', () => {
  it('keeps same-origin paths, as absolute URLs on APP_URL', () => {
    expect(safeRedirect('/connections/abc?x=1#t', APP)).toBe(`${APP}/connections/abc?x=1#t`);
    expect(safeRedirect(`${APP}/admin`, APP)).toBe(`${APP}/admin`);
    expect(safeRedirect('/%09/evil.example', APP)).toBe(`${APP}/%09/evil.example`); // still encoded: a path here
  });

  it.each([
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r/evil.example',
    '/ /evil.example',
    '/\u00a0/evil.example',
    '/\u2028/evil.example',
    '/\u0000/evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '//evil.example',
    '///evil.example',
    'https://evil.example',
    'https://reconnect.example.com.evil.example/',
    'http://reconnect.example.com/', // other scheme, other origin
    'javascript:alert(1)',
    'data:text/html,hi',
    ' /admin',
    '',
  ])('refuses %j', (target) => {
    expect(safeRedirect(target, APP)).toBe(HOME);
  });

  it('refuses what is not a string', () => {
    for (const target of [null, undefined, 42, {}, ['/admin']]) expect(safeRedirect(target, APP)).toBe(HOME);
  });

  it('always answers an absolute URL on APP_URL, whatever the input (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl(), fc.string().map((s) => `/${s}`), fc.string().map((s) => `//${s}`)), (target) => {
        const url = new URL(safeRedirect(target, APP));
        expect(url.origin).toBe(APP);
        // What a browser does with it (drops tabs/newlines, reads \ as /) stays on APP_URL too.
        expect(new URL(safeRedirect(target, APP).replace(/[\t\n\r]/g, '').replace(/\\/g, '/')).origin).toBe(APP);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses any control or whitespace character anywhere in the target (property)', () => {
    const bad = fc.constantFrom(...'\u0000\u0001\t\n\u000b\f\r\u001f\u007f\u0085\u00a0\u1680\u2000\u2028\u2029\u3000 \\'.split(''));
    fc.assert(
      fc.property(fc.string(), bad, fc.string(), (a, c, b) => {
        expect(safeRedirect(`/${a}${c}${b}`, APP)).toBe(HOME);
      }),
    );
  });

  it('gives the path of a safe target for next= and form fields', () => {
    expect(safeRedirectPath('/connections/x?y=1', APP)).toBe('/connections/x?y=1');
    expect(safeRedirectPath('/\t/evil.example', APP)).toBe('/');
  });

  it("finds a connect link's token in a target, as a path or an absolute URL on APP_URL only", () => {
    const token = 'Yg9g9eV_abc-123';
    expect(connectLinkToken(`/connect/${token}`, APP)).toBe(token);
    expect(connectLinkToken(`${APP}/connect/${token}`, APP)).toBe(token);
    for (const other of [`https://evil.example/connect/${token}`, `/connect/${token}/more`, '/connect/', '/connections/x', undefined, 42]) {
      expect(connectLinkToken(other, APP)).toBeUndefined();
    }
  });
});
