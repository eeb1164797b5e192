// `npm run cli -- <command>`: operator commands sharing lib/ with the app.
import { ConfigError, getConfig, loadConfig } from '../lib/config';
import { closeDb, directDatabaseUrl, getDb } from '../lib/db';
import { runMigrations } from '../lib/db/migrate';
import { startAppWorker, stopGracefully } from '../lib/jobs/app-worker';
import { createLogger } from '../lib/log';
import { reencryptAll } from '../lib/tokens/rotate';
import { apiKeyCommands } from './api-keys';
import { seedCommands } from './seed';
import { userCommands } from './users';
import { resolveDatabaseUrl } from './database';

type Command = (args: string[]) => Promise<void>;

const commands: Record<string, Command> = {
  'db migrate': async () => {
    await runMigrations(directDatabaseUrl());
    console.log('migrations applied');
  },
  'keys rotate': async () => {
    const { scanned, reencrypted } = await reencryptAll(getDb(), getConfig().encryptionKeys);
    console.log(`re-encrypted ${reencrypted} of ${scanned} secrets`);
  },
  // The background worker alone (run the app with RECONNECT_WORKER=off); stops on SIGINT/SIGTERM.
  worker: async () => {
    await runMigrations(directDatabaseUrl());
    const worker = startAppWorker();
    createLogger('worker').info('running');
    await new Promise<void>((resolve) => ['SIGINT', 'SIGTERM'].forEach((s) => process.once(s, () => resolve())));
    await stopGracefully(worker);
  },
  ...apiKeyCommands,
  ...seedCommands,
  ...userCommands,
};

function usage(): never {
  console.error(`usage: npm run cli -- <command>\ncommands:\n${Object.keys(commands).map((c) => `  ${c}`).join('\n')}`);
  process.exit(2);
}

// A command is its exact leading words ("keys rotate"), never a prefix of a longer word.
function findCommand(argv: string[]): string | undefined {
  return Object.keys(commands).find((name) => {
    const words = name.split(' ');
    return words.every((w, i) => argv[i] === w);
  });
}

async function main(argv: string[]): Promise<void> {
  const name = findCommand(argv);
  if (!name) usage();
  loadConfig();
  const db = await resolveDatabaseUrl();
  try {
    await commands[name](argv.slice(name.split(' ').length));
  } finally {
    await closeDb();
    await db.stop();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : `error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
