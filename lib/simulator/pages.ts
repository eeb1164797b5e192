// The simulator's few HTML pages: sign-in, consent, error and home, each under a provider's brand.
import type { SandboxAccount } from './accounts';

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** `brand` names the simulated provider in the title and the sandbox note, e.g. "Atlassian". */
function layout(brand: string, title: string, content: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · ${escapeHtml(brand)} (simulator)</title>
<style>
body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#172b4d}
button{font:inherit;padding:.5rem 1rem;margin:.25rem 0;border-radius:3px;border:1px solid #0052cc;cursor:pointer}
.primary{background:#0052cc;color:#fff}.secondary{background:#fff;color:#0052cc}
.note{color:#5e6c84;font-size:.875rem}
</style>
</head>
<body>
<p class="note">${escapeHtml(brand)} simulator — sandbox only, no real ${escapeHtml(brand)} account involved.</p>
${content}
</body>
</html>`;
}

function hiddenInputs(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
}

export function loginPage(brand: string, accounts: readonly SandboxAccount[], continueTo: string): string {
  const forms = accounts
    .map(
      (account) => `<form method="post" action="/login">
${hiddenInputs({ email: account.email, continue: continueTo })}
<button type="submit" class="primary">Sign in as ${escapeHtml(account.name)}</button>
<span class="note">${escapeHtml(account.email)}</span>
</form>`,
    )
    .join('\n');
  return layout(brand, 'Log in', `<h1>Log in to continue</h1>\n${forms}`);
}

/** How one provider words its consent screen. */
export interface ConsentWording {
  brand: string;
  title: string;
  heading: string;
  /** "Signed in as" or "Logged in as". */
  signedIn: string;
  listHeading: string;
  /** One permission's list item, as HTML (escape what you put in). */
  scopeItem(scope: string): string;
  /** Where the decision form posts. */
  action: string;
  accept: { value: string; label: string };
}

export interface ConsentView {
  account: SandboxAccount;
  scopes: readonly string[];
  fields: Record<string, string>;
  switchAccountTo: string;
}

export function consentPage(wording: ConsentWording, view: ConsentView): string {
  const items = view.scopes.map((scope) => wording.scopeItem(scope)).join('\n');
  return layout(
    wording.brand,
    wording.title,
    `<h1>${escapeHtml(wording.heading)}</h1>
<p>${escapeHtml(wording.signedIn)} <strong>${escapeHtml(view.account.name)}</strong> (${escapeHtml(view.account.email)})</p>
<h2>${escapeHtml(wording.listHeading)}</h2>
<ul>
${items}
</ul>
<form method="post" action="${escapeHtml(wording.action)}">
${hiddenInputs(view.fields)}
<button type="submit" name="decision" value="${escapeHtml(wording.accept.value)}" class="primary">${escapeHtml(wording.accept.label)}</button>
<button type="submit" name="decision" value="cancel" class="secondary">Cancel</button>
</form>
<form method="post" action="/logout">
${hiddenInputs({ continue: view.switchAccountTo })}
<button type="submit" class="secondary">Use a different account</button>
</form>`,
  );
}

export function errorPage(brand: string, title: string, message: string): string {
  return layout(brand, title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`);
}

export function homePage(brand: string, account: SandboxAccount | undefined): string {
  const who = account
    ? `<p>Signed in as <strong>${escapeHtml(account.name)}</strong> (${escapeHtml(account.email)})</p>
<form method="post" action="/logout"><button type="submit" class="secondary">Log out</button></form>`
    : `<p>Not signed in. <a href="/login">Log in</a></p>`;
  return layout(brand, `${brand} simulator`, `<h1>${escapeHtml(brand)} simulator</h1>\n${who}`);
}
