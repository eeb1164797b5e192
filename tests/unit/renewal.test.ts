import { describe, expect, it } from 'vitest';
import { plainReason } from '../../lib/connections/health';
import { daysLeft, inRenewalWindow, reachedAbsoluteLifetime, renewByFor } from '../../lib/connections/renewal';
import { describeEvent } from '../../lib/connections/timeline';
import { providerFor } from '../../lib/providers';

const DAY = 86_400_000;
const at = new Date('2027-01-01T00:00:00Z');

describe('renewal rules', () => {
  it('renew_by is consent + 365 days for Jira and Confluence, none for Bitbucket', () => {
    expect(renewByFor('jira', at)?.toISOString()).toBe('2028-01-01T00:00:00.000Z');
    expect(renewByFor('confluence', at)?.getTime()).toBe(at.getTime() + 365 * DAY);
    expect(renewByFor('bitbucket', at)).toBeNull();
  });

  it('the window opens exactly RENEW_WARNING_DAYS before renew_by, for live connections only', () => {
    const renewBy = new Date(at.getTime() + 30 * DAY);
    expect(inRenewalWindow('active', renewBy, at, 30)).toBe(true);
    expect(inRenewalWindow('active', new Date(renewBy.getTime() + 1), at, 30)).toBe(false);
    expect(inRenewalWindow('degraded', renewBy, at, 30)).toBe(true);
    expect(inRenewalWindow('needs_reauth', renewBy, at, 30)).toBe(false);
    expect(inRenewalWindow('active', null, at, 30)).toBe(false);
    expect(daysLeft(new Date(at.getTime() + 25 * DAY + 5), at)).toBe(25);
  });

  it('the end of the year counts from renew_by minus a minute (clock skew)', () => {
    expect(reachedAbsoluteLifetime(new Date(at.getTime() + 60_000), at)).toBe(true);
    expect(reachedAbsoluteLifetime(new Date(at.getTime() + 60_001), at)).toBe(false);
    expect(reachedAbsoluteLifetime(null, at)).toBe(false);
  });

  it('words consent_expired with the provider’s own sentence, and a renewal as "Renewed" on the timeline', () => {
    const p = providerFor('jira');
    expect(plainReason('needs_reauth', 'consent_expired', true, p)).toBe('Atlassian ends access one year after consent. Renew to continue.');
    const base = { id: 1, type: 'reconnected', message: null, token_generation: 3, created_at: at };
    expect(describeEvent({ ...base, code: 'renewed' }, p).title).toBe('Renewed');
    expect(describeEvent({ ...base, code: null }, p).title).toBe('Reconnected');
    expect(describeEvent({ ...base, type: 'needs_reauth', code: 'invalid_grant', reason: 'consent_expired' }, p)).toMatchObject({ known: true, tone: 'bad' });
    expect(describeEvent({ ...base, type: 'expiring', code: null }, p)).toMatchObject({ title: 'Renew soon', known: true });
  });
});
