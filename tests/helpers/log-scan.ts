// Scans a captured log for secrets: used for the e2e app log (tests/e2e/run.ts) and the vitest log (tests/run-unit.ts).
import { existsSync, readFileSync } from 'node:fs';

const WEBHOOK_SECRET = /whsec_[A-Za-z0-9+/=]{16,}/;

/** The app's dev secrets (AUTH_SECRET, TOKEN_ENCRYPTION_KEY) from .data/secrets.json, if it exists. */
export function devSecrets(devFile = '.data/secrets.json'): string[] {
  if (!existsSync(devFile)) return [];
  const dev = JSON.parse(readFileSync(devFile, 'utf8')) as { authSecret: string; tokenEncryptionKey: string };
  return [dev.authSecret, dev.tokenEncryptionKey];
}

/** Lines of the log that carry one of the secrets or a webhook signing secret, with the secrets redacted. */
export function scanLog(logFile: string, secretList: readonly string[]): { secrets: number; leaks: string[] } {
  return scanText(readFileSync(logFile, 'utf8'), secretList);
}

/** scanLog for text already in hand (e.g. the mail the sandbox's mail catcher received). */
export function scanText(text: string, secretList: readonly string[]): { secrets: number; leaks: string[] } {
  // Colour codes (vitest colours its output) must not split a secret or clutter the report.
  const log = text.replace(/\x1b\[[0-9;]*m/g, '');
  const secrets = [...new Set(secretList.filter((s) => s.length > 0))];
  // Only the secrets that occur at all need a per-line look: keeps a log of thousands of lines fast.
  const present = secrets.filter((s) => log.includes(s));
  const leaks = log
    .split('\n')
    .filter((line) => WEBHOOK_SECRET.test(line) || present.some((s) => line.includes(s)))
    .map((line) => present.reduce((l, s) => l.replaceAll(s, '[secret]'), line).replace(/whsec_\S+/g, '[secret]').slice(0, 120));
  return { secrets: secrets.length, leaks };
}
