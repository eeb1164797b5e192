// `npm run test:unit`: vitest, with its whole output captured and scanned for secrets of the run.
// Every simulator started during the run (in vitest workers and in the processes tests spawn, which inherit
// the environment) appends each token and client secret it issues to SIMULATOR_SECRETS_FILE.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TEST_KEYS } from './helpers/connections';
import { devSecrets, scanLog } from './helpers/log-scan';

const LOG = 'test-results/vitest.log';
const SECRETS_FILE = resolve('test-results/vitest-secrets.txt');

mkdirSync('test-results', { recursive: true });
writeFileSync(SECRETS_FILE, '');
const log = createWriteStream(LOG);

const child = spawn('node_modules/.bin/vitest', ['run', ...process.argv.slice(2)], {
  stdio: ['inherit', 'pipe', 'pipe'],
  env: { ...process.env, SIMULATOR_SECRETS_FILE: SECRETS_FILE },
});
child.stdout.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk);
  log.write(chunk);
});
child.stderr.on('data', (chunk: Buffer) => {
  process.stderr.write(chunk);
  log.write(chunk);
});
let code = await new Promise<number>((done) => child.on('close', (c) => done(c ?? 1)));
await new Promise<void>((done) => log.end(done));

const testKeys = [TEST_KEYS.current, ...TEST_KEYS.previous].flatMap((key) => [key.toString('base64'), key.toString('hex')]);
const issued = readFileSync(SECRETS_FILE, 'utf8').split('\n');
const scan = scanLog(LOG, [...issued, ...testKeys, ...devSecrets()]);
console.log(`log scan: ${scan.secrets} tokens and secrets of this run looked for in ${LOG}; ${scan.leaks.length} found`);
if (scan.leaks.length > 0) {
  console.error(`log scan failed: secrets in the vitest log:\n${scan.leaks.join('\n')}`);
  code = 1;
}
process.exit(code);
