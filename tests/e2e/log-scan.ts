import { devSecrets, scanLog } from '../helpers/log-scan';

export const APP_LOG = 'test-results/e2e-app.log';

interface IssuedSecrets {
  access_tokens: string[];
  refresh_tokens: string[];
  client_secret: string;
}

/** Every secret the app saw during the run that must never be written to its log. */
async function secretsOfTheRun(simulatorUrl: string): Promise<string[]> {
  const issued = (await (await fetch(`${simulatorUrl}/_control/issued-secrets`)).json()) as IssuedSecrets;
  return [...issued.access_tokens, ...issued.refresh_tokens, issued.client_secret, ...devSecrets()];
}

/** Lines of the app log that carry a token, a client secret, an app secret or a webhook signing secret. */
export async function scanAppLog(logFile: string, simulatorUrl: string): Promise<{ secrets: number; leaks: string[] }> {
  return scanLog(logFile, await secretsOfTheRun(simulatorUrl));
}
