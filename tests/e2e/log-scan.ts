import postgres from 'postgres';
import { devSecrets, scanLog, scanText } from '../helpers/log-scan';

export const APP_LOG = 'test-results/e2e-app.log';

interface IssuedSecrets {
  access_tokens: string[];
  refresh_tokens: string[];
  client_secret: string;
  bitbucket_client_secret?: string;
}

/** Every secret the app saw during the run that must never be written to its log. */
async function secretsOfTheRun(simulatorUrl: string): Promise<string[]> {
  const issued = (await (await fetch(`${simulatorUrl}/_control/issued-secrets`)).json()) as IssuedSecrets;
  return [...issued.access_tokens, ...issued.refresh_tokens, issued.client_secret, ...(issued.bitbucket_client_secret ? [issued.bitbucket_client_secret] : []), ...devSecrets()];
}

/** Lines of the app log that carry a token, a client secret, an app secret or a webhook signing secret. */
export async function scanAppLog(logFile: string, simulatorUrl: string): Promise<{ secrets: number; leaks: string[] }> {
  return scanLog(logFile, await secretsOfTheRun(simulatorUrl));
}

/** The same scan over every mail the sandbox's mail catcher received (headers, HTML and text bodies). */
export async function scanCaughtMail(databaseUrl: string, simulatorUrl: string): Promise<{ mails: number; leaks: string[] }> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ mail: string }[]>`select row_to_json(m)::text as mail from sandbox_mail m`;
    const text = rows.map((r) => r.mail.replaceAll('\\n', '\n')).join('\n');
    return { mails: rows.length, leaks: scanText(text, await secretsOfTheRun(simulatorUrl)).leaks };
  } finally {
    await sql.end();
  }
}
