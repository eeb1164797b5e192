// The few HTML pages of the simulated Atlassian sign-in and consent screens.
import { CONSENTING_APP_NAME, SCOPE_DESCRIPTIONS, type SandboxAccount } from './catalog';

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function layout(title: string, content: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Atlassian (simulator)</title>
<style>
body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#172b4d}
button{font:inherit;padding:.5rem 1rem;margin:.25rem 0;border-radius:3px;border:1px solid #0052cc;cursor:pointer}
.primary{background:#0052cc;color:#fff}.secondary{background:#fff;color:#0052cc}
.note{color:#5e6c84;font-size:.875rem}
</style>
</head>
<body>
<p class="note">Atlassian simulator — sandbox only, no real Atlassian account involved.</p>
${content}
</body>
</html>`;
}

function hiddenInputs(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
}

export function loginPage(accounts: readonly SandboxAccount[], continueTo: string): string {
  const forms = accounts
    .map(
      (account) => `<form method="post" action="/login">
${hiddenInputs({ email: account.email, continue: continueTo })}
<button type="submit" class="primary">Sign in as ${escapeHtml(account.name)}</button>
<span class="note">${escapeHtml(account.email)}</span>
</form>`,
    )
    .join('\n');
  return layout('Log in', `<h1>Log in to continue</h1>\n${forms}`);
}

export interface ConsentView {
  account: SandboxAccount;
  scopes: readonly string[];
  fields: Record<string, string>;
  switchAccountTo: string;
}

export function consentPage(view: ConsentView): string {
  const scopeItems = view.scopes
    .map(
      (scope) =>
        `<li><code>${escapeHtml(scope)}</code> — ${escapeHtml(SCOPE_DESCRIPTIONS[scope] ?? scope)}</li>`,
    )
    .join('\n');
  return layout(
    `${CONSENTING_APP_NAME} is requesting access`,
    `<h1>${escapeHtml(CONSENTING_APP_NAME)} is requesting access to your Atlassian account</h1>
<p>Signed in as <strong>${escapeHtml(view.account.name)}</strong> (${escapeHtml(view.account.email)})</p>
<h2>${escapeHtml(CONSENTING_APP_NAME)} would like to:</h2>
<ul>
${scopeItems}
</ul>
<form method="post" action="/authorize/decision">
${hiddenInputs(view.fields)}
<button type="submit" name="decision" value="accept" class="primary">Accept</button>
<button type="submit" name="decision" value="cancel" class="secondary">Cancel</button>
</form>
<form method="post" action="/logout">
${hiddenInputs({ continue: view.switchAccountTo })}
<button type="submit" class="secondary">Use a different account</button>
</form>`,
  );
}

export function errorPage(title: string, message: string): string {
  return layout(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`);
}

export function homePage(account: SandboxAccount | undefined): string {
  const who = account
    ? `<p>Signed in as <strong>${escapeHtml(account.name)}</strong> (${escapeHtml(account.email)})</p>
<form method="post" action="/logout"><button type="submit" class="secondary">Log out</button></form>`
    : `<p>Not signed in. <a href="/login">Log in</a></p>`;
  return layout('Atlassian simulator', `<h1>Atlassian simulator</h1>\n${who}`);
}
