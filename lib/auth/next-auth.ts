import NextAuth from 'next-auth';
import { getConfig } from '../config';
import { getDb } from '../db';
import { redeemSigninTicket } from '../flows/callback';

// Atlassian sign-in runs through our own 3LO callback (one callback URL, Atlassian's JSON token
// request); it ends by redeeming a single-use ticket here, which next-auth turns into a session.
export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  secret: getConfig().authSecret,
  trustHost: true,
  // Secure, __Secure-/__Host- prefixed cookies whenever the public URL is https, even behind a proxy
  // that forwards plain http and no X-Forwarded-Proto.
  useSecureCookies: getConfig().appUrl.startsWith('https://'),
  session: { strategy: 'jwt', maxAge: 8 * 60 * 60 },
  pages: { signIn: '/signin', error: '/signin' },
  providers: [
    Credentials({
      id: 'atlassian-ticket',
      credentials: { ticket: {} },
      async authorize(credentials) {
        const ticket = typeof credentials?.ticket === 'string' ? credentials.ticket : '';
        const user = ticket ? await redeemSigninTicket({ db: getDb() }, ticket) : undefined;
        return user ? { id: user.id, email: user.email, name: user.name } : null;
      },
    },
  };
});
