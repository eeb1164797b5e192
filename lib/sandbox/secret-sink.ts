// Test aid only: when SIMULATOR_SECRETS_FILE is set, every token and client secret the simulator issues is
// appended to that file, one a line, so that a test run can scan its whole log for them (tests/run-unit.ts).
// Unset (the default), nothing is written and nothing else changes.
import { appendFileSync } from 'node:fs';
import { simulatorSecretsFile } from '../config';

export function recordSecret(secret: string): void {
  const file = simulatorSecretsFile();
  if (file && secret) appendFileSync(file, `${secret}\n`);
}
