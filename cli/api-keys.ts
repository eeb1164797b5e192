// `npm run cli -- api-key create --name N` / `api-key revoke ID`: spread into cli/index.ts's commands.
import { createApiKey, revokeApiKey } from '../lib/api-keys';
import { getDb } from '../lib/db';

type Command = (args: string[]) => Promise<void>;

/** The value of `--name N` or `--name=N`, if given. */
function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function usageError(message: string): void {
  console.error(message);
  process.exitCode = 2;
}

export const apiKeyCommands: Record<string, Command> = {
  'api-key create': async (args) => {
    const name = option(args, 'name')?.trim();
    if (!name || name.startsWith('--')) return usageError('usage: api-key create --name N');
    const key = await createApiKey(getDb(), name);
    console.log(`Created API key ${key.id} (${key.name}). It is shown once:`);
    console.log(key.key);
  },
  'api-key revoke': async (args) => {
    const id = args.find((a) => !a.startsWith('--'));
    if (!id) return usageError('usage: api-key revoke ID');
    if (await revokeApiKey(getDb(), id)) {
      console.log(`Revoked ${id}`);
    } else {
      console.error(`No active API key ${id}`);
      process.exitCode = 1;
    }
  },
};
