import { describe, expect, it } from 'vitest';
import { IDENTITY_PATH, PRODUCT_SCOPES, scopesForConnect, siteHasProduct } from '../../lib/providers/atlassian/products';
import { isProduct, productLabel } from '../../lib/providers/registry';

describe('products', () => {
  it('lists the product scopes of the contract', () => {
    expect(PRODUCT_SCOPES.jira).toEqual(['read:jira-work', 'write:jira-work', 'read:jira-user']);
    expect(PRODUCT_SCOPES.confluence).toEqual([
      'read:confluence-content.all',
      'write:confluence-content',
      'read:confluence-space.summary',
      'read:confluence-user',
    ]);
  });

  it('adds read:me and offline_access for connecting, without touching the shared list', () => {
    const scopes = scopesForConnect('jira');
    expect(scopes).toEqual([...PRODUCT_SCOPES.jira, 'read:me', 'offline_access']);
    scopes.push('extra');
    expect(scopesForConnect('jira')).not.toContain('extra');
    expect(() => PRODUCT_SCOPES.jira.push('x')).toThrow();
  });

  it('names identity paths and labels', () => {
    expect(IDENTITY_PATH).toEqual({ jira: 'rest/api/3/myself', confluence: 'wiki/rest/api/user/current' });
    expect(productLabel('jira')).toBe('Jira');
    expect(productLabel('confluence')).toBe('Confluence');
  });

  it('recognizes product names', () => {
    expect(isProduct('jira')).toBe(true);
    expect(isProduct('confluence')).toBe(true);
    expect(isProduct('bitbucket')).toBe(true);
    expect(isProduct('trello')).toBe(false);
    expect(isProduct(undefined)).toBe(false);
  });

  it.each([
    [['read:jira-work', 'read:jira-user'], true, false],
    [['read:confluence-content.all'], false, true],
    [['read:jira-work', 'write:confluence-content'], true, true],
    [['read:issue:jira', 'read:page:confluence'], true, true],
    [['read:me', 'offline_access'], false, false],
    [['read:servicedesk-request', 'read:jiraish'], false, false],
    [[], false, false],
  ])('tells the products of a site from its scopes %j', (scopes, jira, confluence) => {
    expect(siteHasProduct(scopes, 'jira')).toBe(jira);
    expect(siteHasProduct(scopes, 'confluence')).toBe(confluence);
  });
});
