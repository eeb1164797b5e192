// The simulated Bitbucket consent screen.
import { escapeHtml } from '../pages';
import type { SandboxAccount } from '../catalog';
import { BITBUCKET_SCOPE_DESCRIPTIONS } from './catalog';

function hiddenInputs(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
}

function layout(title: string, content: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Bitbucket (simulator)</title>
<style>
body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#172b4d}
button{font:inherit;padding:.5rem 1rem;margin:.25rem 0;border-radius:3px;border:1px solid #0052cc;cursor:pointer}
.primary{background:#0052cc;color:#fff}.secondary{background:#fff;color:#0052cc}
.note{color:#5e6c84;font-size:.875rem}
</style>
</head>
<body>
<p class="note">Bitbucket simulator — sandbox only, no real Bitbucket account involved.</p>
${content}
</body>
</html>`;
}

export interface BitbucketConsentView {
  consumerName: string;
  account: SandboxAccount;
  scopes: readonly string[];
  fields: Record<string, string>;
  switchAccountTo: string;
}

export function bitbucketConsentPage(view: BitbucketConsentView): string {
  const items = view.scopes
    .map((scope) => `<li>${escapeHtml(BITBUCKET_SCOPE_DESCRIPTIONS[scope] ?? scope)} (<code>${escapeHtml(scope)}</code>)</li>`)
    .join('\n');
  return layout(
    `Confirm access to your account`,
    `<h1>${escapeHtml(view.consumerName)} is requesting access to your Bitbucket account</h1>
<p>Logged in as <strong>${escapeHtml(view.account.name)}</strong> (${escapeHtml(view.account.email)})</p>
<h2>This app will be able to:</h2>
<ul>
${items}
</ul>
<form method="post" action="/site/oauth2/authorize">
${hiddenInputs(view.fields)}
<button type="submit" name="decision" value="grant" class="primary">Grant access</button>
<button type="submit" name="decision" value="cancel" class="secondary">Cancel</button>
</form>
<form method="post" action="/logout">
${hiddenInputs({ continue: view.switchAccountTo })}
<button type="submit" class="secondary">Use a different account</button>
</form>`,
  );
}

export function bitbucketErrorPage(title: string, message: string): string {
  return layout(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`);
}
