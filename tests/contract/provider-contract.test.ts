// One contract, run for every registered provider (test-only ones included) against its simulator over
// HTTP: authorize URL, code exchange, refresh with and without rotation, each documented dead-token
// answer, sites and identity, proxy URL building, and the simulator's fidelity through its control API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenEndpointError } from '../../lib/oauth/errors';
import { PROVIDERS } from '../../lib/providers/registry';
import { harnessFor, type ContractHarness, type RunningSimulator } from './harness';

const REDIRECT = 'http://localhost:3999/api/oauth/callback';
const tokenError = (p: Promise<unknown>) => p.then(() => expect.unreachable('the refresh succeeded'), (err: unknown) => err as TokenEndpointError);
const harnesses = new Map(await Promise.all(PROVIDERS.map(async (p) => [p.id, await harnessFor(p)] as const)));

describe.each(PROVIDERS.flatMap((provider) => provider.products.map((product) => ({ provider, product }))))(
  '$provider.id: $product.id',
  ({ provider, product }) => {
    const h = harnesses.get(provider.id) as ContractHarness;
    const connection = product.connection;
    let sim: RunningSimulator;
    // A person the simulators know (their sandbox users); each test makes its own grant.
    const email = () => 'alice@example.com';
    const grant = async (who = email()) => {
      const code = await h.consent(sim.url, product.id, who, REDIRECT);
      return { who, tokens: await connection.exchangeCode(h.app(sim.url), code, REDIRECT) };
    };

    beforeAll(async () => {
      sim = await h.startSimulator();
    });
    afterAll(() => sim?.stop());

    it('is the provider its definition names, with the capabilities a provider must state', () => {
      expect(connection.id).toBe(provider.id);
      expect(connection.issuerName).not.toBe('');
      expect(connection.inactivitySeconds).toBeGreaterThan(0);
      expect(provider.capabilities.absoluteLifetimeSeconds === null || provider.capabilities.absoluteLifetimeSeconds > 0).toBe(true);
    });

    it('builds an authorize URL at its auth server carrying the client, the state and the redirect', () => {
      const app = h.app(sim.url);
      const url = new URL(connection.authorizeUrl(app, { state: 'st-1', redirectUri: REDIRECT, purpose: 'connect' }));
      expect(url.origin).toBe(new URL(sim.url).origin);
      expect(url.searchParams.get('client_id')).toBe(app.clientId);
      expect(url.searchParams.get('state')).toBe('st-1');
      expect(url.searchParams.get('response_type')).toBe('code');
    });

    it('exchanges a code for a token set, once', async () => {
      const code = await h.consent(sim.url, product.id, email(), REDIRECT);
      const tokens = await connection.exchangeCode(h.app(sim.url), code, REDIRECT);
      expect(tokens.accessToken).not.toBe('');
      expect(tokens.refreshToken).toBeTruthy();
      expect(tokens.expiresIn).toBeGreaterThan(0);
      const again = await tokenError(connection.exchangeCode(h.app(sim.url), code, REDIRECT));
      expect(again).toBeInstanceOf(TokenEndpointError);
      expect(again.errorClass).toBe('terminal');
    });

    it('names the consenting user and the sites, and the identity call answers with the token', async () => {
      const { who, tokens } = await grant();
      const { profile, sites } = await connection.grantDetails(h.app(sim.url), tokens.accessToken);
      expect(profile.accountId).not.toBe('');
      if (provider.capabilities.signIn) expect(profile.email).toBe(who);
      expect(sites.length).toBeGreaterThan(0);
      const identity = connection.identityPath(sites[0].id);
      const res = await fetch(connection.apiRequestUrl(h.app(sim.url), identity.site, identity.path), {
        headers: { authorization: `Bearer ${tokens.accessToken}` },
      });
      expect(res.status).toBe(200);
    });

    it('refreshes with rotation: a new refresh token, and the rotated one is dead at once', async () => {
      const { tokens } = await grant();
      const before = await h.refreshes(sim.url);
      const fresh = await connection.refreshTokens(h.app(sim.url), tokens.refreshToken!);
      expect(fresh.refreshToken).toBeTruthy();
      expect(fresh.refreshToken).not.toBe(tokens.refreshToken);
      expect(await h.refreshes(sim.url)).toBe(before + 1);
      const reused = await tokenError(connection.refreshTokens(h.app(sim.url), tokens.refreshToken!));
      expect(reused.errorClass).toBe('terminal');
    });

    it('reads an answer without a refresh token as no rotation (the one sent stays valid)', async () => {
      const body = { access_token: 'at-new', expires_in: 3600, token_type: 'bearer', scope: 'x' };
      const tokens = await connection.processTokenResponse(new Response(JSON.stringify(body), { status: 200 }));
      expect(tokens.accessToken).toBe('at-new');
      expect(tokens.refreshToken).toBeUndefined();
    });

    it.each(h.deadTokenBodies)('classifies the documented dead-token answer $status $body.error as $code (terminal)', async ({ status, body, code }) => {
      const err = await tokenError(connection.processTokenResponse(new Response(JSON.stringify(body), { status })));
      expect(err.code).toBe(code);
      expect(err.errorClass).toBe('terminal');
    });

    it.each(h.deadTokenSettings)("classifies the simulator's dead-token answer ($name) after a revocation", async ({ apply, code }) => {
      await apply(sim.url);
      const { who, tokens } = await grant();
      await h.revoke(sim.url, who);
      const err = await tokenError(connection.refreshTokens(h.app(sim.url), tokens.refreshToken!));
      expect(err.code).toBe(code);
    });

    it('builds proxy URLs under its API and refuses paths that escape it', () => {
      const app = h.app(sim.url);
      const site = connection.identityPath('site-1').site;
      expect(connection.apiRequestUrl(app, site, 'a/b?c=1').startsWith(`${sim.url}/`)).toBe(true);
      for (const bad of ['../x', 'a/../../x', 'https://evil.example/x', '%2e%2e/x']) {
        expect(() => connection.apiRequestUrl(app, site, bad)).toThrow();
      }
      expect(connection.siteApiBaseUrl(app, 'site-1').startsWith(sim.url)).toBe(true);
    });

    it('is refused by the simulator with a token it never issued, and reads that as unauthorized', async () => {
      const { sites } = await connection.grantDetails(h.app(sim.url), (await grant()).tokens.accessToken);
      const identity = connection.identityPath(sites[0].id);
      const res = await fetch(connection.apiRequestUrl(h.app(sim.url), identity.site, identity.path), { headers: { authorization: 'Bearer not-a-token' } });
      expect(res.status).toBe(401);
      expect(connection.classifyApiRefusal(401, await res.json().catch(() => ({})))).toBe('unauthorized');
    });
  },
);
