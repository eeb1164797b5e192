import { existsSync, readFileSync } from 'node:fs';

export const APP_LOG = 'test-results/e2e-app.log';

interface IssuedSecrets {
  access_tokens: string[];
  refresh_tokens: string[];
  client_secret: string;
}

/** Every secret the app saw during the run that must never be written to its log. */
async function secretsOfTheRun(simulatorUrl: string): Promise<string[]> {
  const issued = (await (await fetch(`${simulatorUrl}/_control/issued-secrets`)).json()) as IssuedSecrets;
  const devFile = '.data/secrets.json';
  const dev = existsSync(devFile) ? (JSON.parse(readFileSync(devFile, 'utf8')) as { authSecret: string; tokenEncryptionKey: string }) : undefined;
  return [...issued.access_tokens, ...issued.refresh_tokens, issued.client_secret, ...(dev ? [dev.authSecret, dev.tokenEncryptionKey] : [])];
}

/** Lines of the app log that carry a token, a client secret, an app secret or a webhook signing secret. */
export async function scanAppLog(logFile: string, simulatorUrl: string): Promise<{ secrets: number; leaks: string[] }> {
  const log = readFileSync(logFile, 'utf8');
  const secrets = await secretsOfTheRun(simulatorUrl);
  const leaks = log
    .split('\n')
    .filter((line) => /whsec_[A-Za-z0-9+/=]{16,}/.test(line) || secrets.some((s) => line.includes(s)))
    .map((line) => secrets.reduce((l, s) => l.replaceAll(s, '[secret]'), line).replace(/whsec_\S+/g, '[secret]').slice(0, 120));
  return { secrets: secrets.length, leaks };
}
