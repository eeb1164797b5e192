// `npm run test:e2e`: a fresh database and simulator for the app under test, then Playwright.
import { spawn } from 'node:child_process';
import { startSimulator } from '../../lib/sandbox/simulator';
import { createTestDatabase } from '../helpers/database';
import { APP_LOG, scanAppLog, scanCaughtMail } from './log-scan';

const db = await createTestDatabase('e2e');
const sim = await startSimulator({ port: 0 });
const child = spawn('node_modules/.bin/playwright', ['test', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, E2E_DATABASE_URL: db.url, SIMULATOR_URL: sim.url },
});
let code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
const scan = await scanAppLog(APP_LOG, sim.url);
console.log(`log scan: ${scan.secrets} tokens and secrets of this run looked for in ${APP_LOG}; ${scan.leaks.length} found`);
if (scan.leaks.length > 0) {
  console.error(`log scan failed: secrets in the app log:\n${scan.leaks.join('\n')}`);
  code = 1;
}
const mail = await scanCaughtMail(db.url, sim.url);
console.log(`mail scan: ${mail.mails} mails caught by the sandbox mail catcher looked through; ${mail.leaks.length} secrets found`);
if (mail.leaks.length > 0) {
  console.error(`mail scan failed: secrets in caught mail:\n${mail.leaks.join('\n')}`);
  code = 1;
}
await sim.stop();
await db.drop();
process.exit(code);
