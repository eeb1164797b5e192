// `npm run cli -- <command>`: operator commands sharing lib/ with the app.
import { ConfigError, loadConfig } from '../lib/config';
import { closeDb } from '../lib/db';
import { runMigrations } from '../lib/db/migrate';
import { resolveDatabaseUrl } from './database';

type Command = (args: string[]) => Promise<void>;

const commands: Record<string, Command> = {
  'db migrate': async () => {
    await runMigrations(process.env.DATABASE_URL!);
    console.log('migrations applied');
  },
};

function usage(): never {
  console.error(`usage: npm run cli -- <command>\ncommands:\n${Object.keys(commands).map((c) => `  ${c}`).join('\n')}`);
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const name = Object.keys(commands).find((c) => argv.join(' ').startsWith(c));
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

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : `error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
