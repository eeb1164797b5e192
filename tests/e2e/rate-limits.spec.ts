// Client addresses over real HTTP, through `npm start`'s server (which stamps the TCP peer as
// x-reconnect-peer): with TRUSTED_PROXY_HOPS=0 a forged X-Forwarded-For (or a forged peer header) neither
// dodges the wrong-key limit nor aims it at someone else, and a valid key is always served.
import { expect, test } from '@playwright/test';
import { createApiKey } from '../../lib/api-keys';
import { e2eSql } from './helpers';
import { dbFor } from '../../lib/db';

const LOOPBACK = ['127.0.0.1', '::1'];

test('a forged X-Forwarded-For neither dodges the wrong-key limit nor aims it at another address; a valid key is served', async ({ request }) => {
  const sql = e2eSql();
  try {
    const { key } = await createApiKey(dbFor(sql), 'rate limit e2e');
    const list = (bearer: string, headers: Record<string, string>) =>
      request.get('/api/v1/connections', { headers: { authorization: `Bearer ${bearer}`, ...headers } });
    const statuses: number[] = [];
    // 25 wrong keys, each claiming another address, half of them naming one victim.
    for (let i = 0; i < 25; i++) {
      const forged: Record<string, string> = i % 2 ? { 'x-forwarded-for': '203.0.113.77' } : { 'x-forwarded-for': `198.51.100.${i}`, 'x-reconnect-peer': `192.0.2.${i}`, 'x-real-ip': `192.0.2.${i}` };
      statuses.push((await list(`rk_live_forged_${i}`, forged)).status());
    }
    // Counted as one client (this test's real address): refused from the 21st wrong key on.
    expect(statuses.slice(0, 20).every((s) => s === 401 || s === 429)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429, 429, 429, 429]);
    // No forged address was counted, so no limit was aimed at one: every counted client is the real peer.
    const counted = (await sql<{ key: string }[]>`select key from rate_limits where key like 'api_key_failures:%'`).map((r) => r.key.slice('api_key_failures:'.length));
    expect(counted.length).toBeGreaterThan(0);
    for (const address of counted) expect(LOOPBACK, `counted client ${address}`).toContain(address);
    // A valid key is served, whatever was sent in its address's name and whatever address it claims.
    for (const headers of [{}, { 'x-forwarded-for': '203.0.113.77' }] as Record<string, string>[]) expect((await list(key, headers)).status()).toBe(200);
  } finally {
    await sql.end();
  }
});
