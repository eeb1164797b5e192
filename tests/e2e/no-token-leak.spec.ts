import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { decryptSecret, parseKey, type KeyRing } from '../../lib/crypto';
import { SIMULATOR_URL, connectProduct, e2eSql, expireAccessTokens, retireConnectionsOf, signInAs, waitForWorkerRefresh } from './helpers';

// The e2e app runs in sandbox mode with the dev secrets of .data/secrets.json unless the key is given.
function keyRing(): KeyRing {
  const key = process.env.TOKEN_ENCRYPTION_KEY ?? (JSON.parse(readFileSync('.data/secrets.json', 'utf8')) as { tokenEncryptionKey: string }).tokenEncryptionKey;
  const previous = (process.env.TOKEN_ENCRYPTION_KEY_PREVIOUS ?? '').split(',').filter((k) => k.trim());
  return { current: parseKey(key, 'TOKEN_ENCRYPTION_KEY'), previous: previous.map((k) => parseKey(k.trim(), 'TOKEN_ENCRYPTION_KEY_PREVIOUS')) };
}

function jsFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return jsFilesUnder(file);
    return e.name.endsWith('.js') ? [file] : [];
  });
}

const PIECE = 32;

/** The secret (also URL-encoded), and for long ones every aligned 32-character piece plus the last one. */
function fragments(secret: string): string[] {
  const out = new Set([secret, encodeURIComponent(secret)]);
  if (secret.length >= 2 * PIECE) {
    for (let i = 0; i + PIECE <= secret.length; i += PIECE) out.add(secret.slice(i, i + PIECE));
    out.add(secret.slice(-PIECE));
  }
  return [...out];
}

interface Source {
  where: string;
  text: string;
}

/** The page's HTML as served, and its RSC payload (what a client-side navigation fetches). */
async function htmlAndRsc(request: APIRequestContext, url: string): Promise<Source[]> {
  const html = await request.get(url);
  expect(html.status(), `GET ${url}`).toBe(200);
  expect(html.headers()['content-type']).toContain('text/html');
  const rsc = await request.get(url, { headers: { RSC: '1' } });
  expect(rsc.status(), `GET ${url} (RSC)`).toBe(200);
  expect(rsc.headers()['content-type']).toContain('text/x-component');
  return [
    { where: `HTML of ${url}`, text: await html.text() },
    { where: `RSC payload of ${url}`, text: await rsc.text() },
  ];
}

test('no access or refresh token reaches a page, an RSC payload, a JS bundle or any response', async ({ page, request }) => {
  const sql = e2eSql();
  const ring = keyRing();
  await retireConnectionsOf(sql, 'alice@example.com');

  // Every response the browser sees during the whole test, simulator pages included.
  const responses: Source[] = [];
  const reading: Promise<void>[] = [];
  page.on('response', (res) => {
    reading.push(
      res.body().then(
        (body) => void responses.push({ where: `response ${res.status()} ${res.url()}`, text: body.toString('utf8') }),
        () => {}, // redirects and aborted requests have no body
      ),
    );
  });

  await signInAs(page, 'Alice Jones');
  const jira = await connectProduct(page, 'Jira');
  const confluence = await connectProduct(page, 'Confluence');
  const ids = [jira, confluence];

  // Tokens rotate: collect every generation we can see, not only the last one.
  const secrets = new Map<string, string>(); // secret → what it is
  const collect = async () => {
    const rows = await sql<{ id: string; token_generation: number; access_token_enc: string | null; refresh_token_enc: string | null }[]>`
      select id, token_generation, access_token_enc, refresh_token_enc from connections where id in ${sql(ids)}`;
    for (const r of rows) {
      for (const [kind, enc] of [['access', r.access_token_enc], ['refresh', r.refresh_token_enc]] as const) {
        if (!enc) continue;
        secrets.set(decryptSecret(enc, ring), `${kind} token of ${r.id} (generation ${r.token_generation})`);
        secrets.set(enc, `encrypted ${kind} token of ${r.id}`);
      }
    }
    return rows;
  };
  await collect();
  await waitForWorkerRefresh(sql, ids);
  const before = await collect();

  // Force a refresh of each through the UI: expired tokens, then Test connection.
  await expireAccessTokens(sql, ids);
  for (const product of ['Jira', 'Confluence']) {
    const card = page.getByRole('listitem', { name: `${product} connection` });
    await card.getByRole('button', { name: 'Test connection' }).click();
    await expect(page.getByTestId('toast').filter({ hasText: `${product} answered on` }).filter({ hasText: 'the connection works' })).toBeVisible();
  }
  const after = await collect();
  for (const row of after) {
    expect(row.token_generation, 'Test connection refreshed the expired token').toBeGreaterThan(before.find((b) => b.id === row.id)!.token_generation);
  }
  const plainTokens = [...secrets.entries()].filter(([, what]) => !what.startsWith('encrypted'));
  expect(plainTokens.length).toBeGreaterThanOrEqual(8); // 2 connections × (access + refresh) × 2 generations at least
  for (const [token] of plainTokens) expect(token.length).toBeGreaterThanOrEqual(16);
  secrets.set('sandbox-secret', 'the sandbox client secret');
  secrets.set(ring.current.toString('base64'), 'the token encryption key');

  // Pages as the browser renders them, then as served (HTML and RSC) with Alice's cookies.
  const urls = ['/', `/connections/${jira}`, `/connections/${confluence}`, '/sandbox'];
  const sources: Source[] = [];
  for (const url of urls) {
    await page.goto(url);
    sources.push({ where: `DOM of ${url}`, text: await page.content() });
    sources.push(...(await htmlAndRsc(page.request, url)));
  }
  // The sign-in page is for people who are not signed in: the test's own cookie-less request context.
  sources.push(...(await htmlAndRsc(request, '/signin')));

  const bundles = jsFilesUnder('.next/static');
  expect(bundles.length).toBeGreaterThan(0);
  for (const file of bundles) sources.push({ where: file, text: readFileSync(file, 'utf8') });

  await Promise.all(reading);
  expect(responses.length).toBeGreaterThan(10);
  sources.push(...responses);

  await collect(); // in case the worker rotated a token meanwhile
  // If the simulator lists every token it ever issued (a test aid), those of this whole run are looked for too.
  const issued = await fetch(`${SIMULATOR_URL}/_control/issued-secrets`).catch(() => undefined);
  const everyIssued = issued?.ok ? ((await issued.json()) as { access_tokens: string[]; refresh_tokens: string[] }) : undefined;

  // A shown part of a token is a leak too: look for the whole secret and for 32-character pieces of it.
  // Pieces that several secrets share (the constant header of a JWT) say nothing about which one leaked: skipped.
  const owners = new Map<string, Set<string>>();
  for (const [secret] of secrets) for (const piece of fragments(secret)) owners.set(piece, (owners.get(piece) ?? new Set()).add(secret));
  const needles = [...owners].filter(([, of]) => of.size === 1).map(([needle, of]) => ({ needle, what: secrets.get([...of][0])! }));
  for (const [kind, list] of [['access', everyIssued?.access_tokens], ['refresh', everyIssued?.refresh_tokens]] as const) {
    for (const token of list ?? []) if (!secrets.has(token)) needles.push({ needle: token, what: `a ${kind} token the simulator issued` });
  }
  const leaks = new Set<string>();
  for (const { where, text } of sources) {
    for (const { needle, what } of needles) if (text.includes(needle)) leaks.add(`${what} found in ${where}`);
  }
  console.log(`leak scan: ${secrets.size} secrets from the database and config, ${everyIssued ? 'every' : 'no'} token the simulator issued, ${sources.length} pages, payloads, bundles and responses`);
  expect([...leaks]).toEqual([]);
  await retireConnectionsOf(sql, 'alice@example.com');
  await sql.end();
});
