// Client-side helpers for tests and the sandbox panel: a typed caller of a control API, and a browser-like
// consent (sign in, open the authorize URL, press the accept button of the consent page).
import type { FaultSpec } from './faults';

export type { Counters } from './state';

/** A fault as the control API takes it (`target` may be left out). */
export type FaultInput = { [K in FaultSpec['kind']]: Omit<Extract<FaultSpec, { kind: K }>, 'target'> & {
  kind: K;
  target?: Extract<FaultSpec, { kind: K }>['target'];
} }[FaultSpec['kind']];

/** A token family as the control API lists it (families.ts familyView). */
export interface GrantView {
  id: string;
  user_email: string;
  client_id: string;
  scopes: string[];
  created_at: string;
  /** The consent that started the family (its absolute lifetime, where the provider has one, counts from it). */
  consented_at: string;
  revoked: boolean;
  revoked_reason: string | null;
  revoked_at: string | null;
  generation: number;
  last_rotated_at: string | null;
  has_refresh_token: boolean;
}

/** Calls one control API (e.g. base/_control or base/_control/bitbucket) and parses its JSON answers. */
export class ControlClient {
  constructor(
    private readonly controlUrl: string,
    private readonly name: string,
  ) {}

  protected async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.controlUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${this.name} control ${method} ${path} → ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }
}

function sessionCookie(res: Response): string {
  const cookie = res.headers.getSetCookie().find((value) => value.startsWith('atlassian_sim_session='));
  if (!cookie) throw new Error('simulator login set no session cookie');
  return cookie.split(';')[0] ?? '';
}

const ENTITIES: Readonly<Record<string, string>> = { quot: '"', '#39': "'", lt: '<', gt: '>', amp: '&' };

/** Undoes pages.ts escapeHtml. */
function unescapeHtml(text: string): string {
  return text.replace(/&(quot|#39|lt|gt|amp);/g, (_entity, name: string) => ENTITIES[name] ?? '');
}

/** The hidden fields of the page's form that posts to `action`. */
function hiddenFields(page: string, action: string): URLSearchParams {
  const fields = new URLSearchParams();
  const forms = page.matchAll(/<form method="post" action="([^"]*)">([\s\S]*?)<\/form>/g);
  const form = [...forms].find((match) => unescapeHtml(match[1] ?? '') === action)?.[2] ?? '';
  for (const match of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields.append(unescapeHtml(match[1] ?? ''), unescapeHtml(match[2] ?? ''));
  }
  return fields;
}

export interface BrowserConsent {
  email: string;
  /** The provider's authorize URL with its query. */
  authorize: URL;
  /** Where the consent page's decision form posts, and the accept button's value. */
  decisionPath: string;
  accept: string;
  /** Names the provider in errors. */
  name: string;
}

/** Signs in as `email`, opens the authorize URL, accepts when a consent page is shown; returns the code. */
export async function consentInBrowser(baseUrl: string, consent: BrowserConsent): Promise<string> {
  const login = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    body: new URLSearchParams({ email: consent.email, continue: '/' }),
    redirect: 'manual',
  });
  const cookie = sessionCookie(login);
  let res = await fetch(consent.authorize, { headers: { cookie }, redirect: 'manual' });
  if (res.status === 200) {
    const fields = hiddenFields(await res.text(), consent.decisionPath);
    fields.set('decision', consent.accept);
    const decision = new URL(consent.decisionPath, baseUrl);
    res = await fetch(decision, { method: 'POST', headers: { cookie }, body: fields, redirect: 'manual' });
  }
  const code = new URL(res.headers.get('location') ?? '', baseUrl).searchParams.get('code');
  if (res.status !== 302 || !code) throw new Error(`${consent.name} consent gave no code (status ${res.status})`);
  return code;
}
