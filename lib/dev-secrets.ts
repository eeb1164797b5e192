import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface DevSecrets {
  authSecret: string;
  tokenEncryptionKey: string;
}

// Dev and sandbox only: secrets generated once into .data/ (git-ignored) and reused.
export function ensureDevSecrets(dataDir: string): DevSecrets {
  const file = path.join(dataDir, 'secrets.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
  } catch {
    const secrets: DevSecrets = {
      authSecret: randomBytes(32).toString('base64url'),
      tokenEncryptionKey: randomBytes(32).toString('base64'),
    };
    mkdirSync(dataDir, { recursive: true });
    try {
      writeFileSync(file, JSON.stringify(secrets), { mode: 0o600, flag: 'wx' });
    } catch {
      // Another process won the race: use its secrets.
      return JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
    }
    return secrets;
  }
}
