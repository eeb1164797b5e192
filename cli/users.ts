// `npm run cli -- user unbind EMAIL`: spread into cli/index.ts's commands.
import { getDb } from '../lib/db';
import { releaseSignInAccount } from '../lib/users';

type Command = (args: string[]) => Promise<void>;

export const userCommands: Record<string, Command> = {
  // A user whose sign-in account is gone (deleted, replaced) is refused with "Signed in with another account":
  // releasing the binding lets their next sign-in, from whichever account the provider vouches for, bind again.
  'user unbind': async (args) => {
    const email = args.find((a) => !a.startsWith('--'));
    if (!email) {
      console.error('usage: user unbind EMAIL');
      process.exitCode = 2;
      return;
    }
    if (await releaseSignInAccount(getDb(), email)) {
      console.log(`Released the sign-in account of ${email}: their next sign-in binds them again.`);
    } else {
      console.error(`No user ${email}`);
      process.exitCode = 1;
    }
  },
};
