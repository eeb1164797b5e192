// `npm run build`: the production build that `npm start` would make, under the same lock, with the same stamp
// (so that `npm run build` then `npm start` builds once). Refuses to replace a build that an instance serves.
import path from 'node:path';
import { createLogger } from '../lib/log';
import { ensureBuild } from './build';

const log = createLogger('reconnect');
const dataDir = process.env.RECONNECT_DATA_DIR || '.data';
Object.assign(process.env, { NODE_ENV: 'production' });

ensureBuild({ log, logFile: path.join(dataDir, 'build.log'), stopped: () => false, strict: true }, false).then(
  () => log.info('the build is current'),
  (err: unknown) => {
    log.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
