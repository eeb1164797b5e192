import { describe, expect, it } from 'vitest';
import { maskEmail } from '../../lib/pages/connect-link';
import {
  callbackProblemPath,
  DEAD_END_CODES,
  deadEnd,
  deadEndStatus,
  GENERIC_DEAD_END,
  linkProblemPath,
  productParam,
} from '../../lib/pages/dead-ends';

describe('the dead-end catalogue', () => {
  it('gives every page a title, what happened, what to do next and a way on, signed in or not', () => {
    for (const code of DEAD_END_CODES) {
      for (const d of [{}, { signedInAs: 'bob@example.com', product: 'jira' as const, connectionId: 'c' }]) {
        const page = deadEnd(code);
        expect(page.title(d), code).toMatch(/\S/);
        expect(page.explanation(d), code).toMatch(/\S/);
        expect(page.nextStep(d), code).toMatch(/\S/);
        const action = page.action(d);
        if (action.kind === 'link') expect(action.href, code).toMatch(/^\/(?!\/)/);
        expect(page.status, code).toBeGreaterThanOrEqual(400);
      }
    }
  });

  it('answers an unknown code with the generic page, never a throw (prototype names included)', () => {
    for (const code of ['nope', 'constructor', '__proto__', 'toString', '']) expect(deadEnd(code)).toBe(GENERIC_DEAD_END);
    expect(deadEnd('nope').title({})).toBe('Something went wrong');
  });

  it('sets the status of /problem/{code} only', () => {
    expect(deadEndStatus('/problem/link-used')).toBe(410);
    expect(deadEndStatus('/problem/link-expired')).toBe(410);
    expect(deadEndStatus('/problem/other-browser')).toBe(403);
    expect(deadEndStatus('/problem/account-mismatch')).toBe(409);
    expect(deadEndStatus('/problem/whatever')).toBe(400);
    expect(deadEndStatus('/problem/%E0%A4%A')).toBe(400);
    expect(deadEndStatus('/')).toBeUndefined();
    expect(deadEndStatus('/problem/a/b')).toBeUndefined();
  });

  it('maps connect-link refusals to their pages, carrying nothing about whom the link is for', () => {
    expect(linkProblemPath({ code: 'used' })).toBe('/problem/link-used');
    expect(linkProblemPath({ code: 'expired' })).toBe('/problem/link-expired');
    expect(linkProblemPath({ code: 'not_found' })).toBe('/problem/link-not-found');
    expect(linkProblemPath({ code: 'wrong_user' })).toBe('/problem/link-wrong-user');
    expect(linkProblemPath({ code: 'connection_not_found' })).toBe('/problem/connection-not-found');
    expect(linkProblemPath({ code: 'something new' })).toBe('/problem/link-not-found');
  });

  it('carries a product only when it is one, and a connection id only for the account mismatch', () => {
    expect(callbackProblemPath({ code: 'access_denied', product: 'bitbucket', connectionId: 'c1' })).toBe('/problem/cancelled?product=bitbucket');
    expect(callbackProblemPath({ code: 'account_mismatch', product: 'jira', connectionId: 'c1' })).toBe('/problem/account-mismatch?product=jira&connection=c1');
    expect(callbackProblemPath({ code: 'brand_new_failure' })).toBe('/problem/oauth-failed');
    expect(productParam('<script>')).toBeUndefined();
    expect(productParam(['jira'])).toBeUndefined();
    expect(productParam('confluence')).toBe('confluence');
  });

  it("tells what to do next about a dead link whether it came in Reconnect's own mail or from another app", () => {
    for (const code of ['link-used', 'link-expired', 'link-not-found', 'link-not-owner']) {
      for (const d of [{}, { signedInAs: 'bob@example.com' }]) {
        const next = deadEnd(code).nextStep(d);
        expect(next, code).toContain('If it came in an email from Reconnect, open the newest one or reconnect from your connections page');
        expect(next, code).toContain('ask whoever sent you the link for a new one');
        expect(next, code).not.toContain('person or app');
      }
    }
  });

  it('masks the email a connect link was made for', () => {
    expect(maskEmail('alice@example.com')).toBe('a…@example.com');
    expect(maskEmail('@example.com')).toBe('…');
    expect(maskEmail('nobody')).toBe('…');
  });
});
