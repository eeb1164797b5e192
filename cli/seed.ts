// `npm run cli -- seed [--connections N] [--users N]`: demo data at scale for the admin dashboard
// (lib/db/seed.ts). Spread into cli/index.ts's commands.
import { getConfig } from '../lib/config';
import { getDb } from '../lib/db';
import { defaultUserCount, seedDemoData } from '../lib/db/seed';

type Command = (args: string[]) => Promise<void>;

const USAGE = 'usage: seed [--connections N] [--users N]   (defaults: 100000 connections, one user per 20 connections)';
const MAX_CONNECTIONS = 10_000_000;

/** The value of `--name N` or `--name=N`, if given. */
function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function count(args: string[], name: string, fallback: number): number | undefined {
  const raw = option(args, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  return Number.isInteger(value) && value >= 1 && value <= MAX_CONNECTIONS ? value : undefined;
}

export const seedCommands: Record<string, Command> = {
  seed: async (args) => {
    const connections = count(args, 'connections', 100_000);
    const users = connections && count(args, 'users', defaultUserCount(connections));
    if (!connections || !users) {
      console.error(USAGE);
      process.exitCode = 2;
      return;
    }
    const started = performance.now();
    const onStep = (name: string, ms: number) => console.log(`  ${name}: ${(ms / 1000).toFixed(1)} s`);
    const result = await seedDemoData(getDb(), { connections, users, keys: getConfig().encryptionKeys, onStep });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`seeded ${result.users} users, ${result.connections} connections, ${result.sites} sites and ${result.events} events in ${seconds} s`);
  },
};
