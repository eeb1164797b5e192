// The simulated sign-in (id.atlassian.com-like) shared by every provider: log in, log out, who is signed in.
import { findAccount, SANDBOX_ACCOUNTS, type SandboxAccount } from './accounts';
import { html, readCookie, readForm, redirect, type Reply, type RequestContext } from './http';
import { errorPage, homePage, loginPage } from './pages';
import type { BrowserSession, SimulatorState } from './state';
import { newOpaqueId } from './token-strings';

export const SESSION_COOKIE = 'atlassian_sim_session';

export interface SignedIn {
  session: BrowserSession;
  account: SandboxAccount;
}

export function currentSession(ctx: RequestContext): SignedIn | undefined {
  const id = readCookie(ctx.req, SESSION_COOKIE);
  const session = id ? ctx.sim.sessions.get(id) : undefined;
  const account = session ? findAccount(session.userEmail) : undefined;
  return session && account ? { session, account } : undefined;
}

/** Only same-origin relative paths; anything else (//host, absolute URLs) falls back to "/". */
export function safeContinue(value: string | null | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  return value;
}

function sessionCookie(id: string): string {
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax`;
}

function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
}

export function showLogin(ctx: RequestContext): Reply {
  return html(200, loginPage(ctx.sim.brand, SANDBOX_ACCOUNTS, safeContinue(ctx.url.searchParams.get('continue'))));
}

export async function submitLogin(ctx: RequestContext): Promise<Reply> {
  const form = await readForm(ctx.req);
  const account = findAccount(form.get('email') ?? '');
  if (!account) return html(400, errorPage(ctx.sim.brand, 'Unknown account', 'No sandbox account has that email address.'));
  const session: BrowserSession = { id: newOpaqueId(), userEmail: account.email, csrfToken: newOpaqueId(18) };
  ctx.sim.sessions.set(session.id, session);
  return redirect(safeContinue(form.get('continue')), { 'set-cookie': sessionCookie(session.id) });
}

export async function submitLogout(ctx: RequestContext): Promise<Reply> {
  const form = await readForm(ctx.req);
  const id = readCookie(ctx.req, SESSION_COOKIE);
  if (id) ctx.sim.sessions.delete(id);
  return redirect(safeContinue(form.get('continue')), { 'set-cookie': clearedSessionCookie() });
}

export function showHome(ctx: RequestContext): Reply {
  return html(200, homePage(ctx.sim.brand, currentSession(ctx)?.account));
}

/** A password change signs the user out everywhere. */
export function endSessionsOf(state: SimulatorState, userEmail: string): void {
  for (const [id, session] of state.sessions) {
    if (session.userEmail === userEmail) state.sessions.delete(id);
  }
}
