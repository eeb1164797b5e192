import NextAuth from 'next-auth';
import { getConfig } from '../config';
import { getDb } from '../db';
import { safeRedirect } from './redirect';
import { cookieOptions, sessionCookieName } from './cookies';
import { SESSION_MAX_AGE_SECONDS, sessionAdapter } from './sessions';

// Sessions live in Postgres (Auth.js database strategy, Drizzle adapter): auth() reads the row on every request and
// signOut() deletes it, so a copied cookie dies with sign-out. Atlassian sign-in runs through our own 3LO callback
// (one callback URL, Atlassian's JSON token request), which creates the session row through the same adapter.
// Configured per call, so cookie names and flags follow APP_URL at run time.
export const { handlers, auth, signOut } = NextAuth(() => {
  const appUrl = getConfig().appUrl;
  return {
    secret: getConfig().authSecret,
    trustHost: true,
    // Secure, __Secure-/__Host- prefixed cookies whenever the public URL is https, even behind a proxy
    // that forwards plain http and no X-Forwarded-Proto.
    useSecureCookies: appUrl.startsWith('https://'),
    adapter: sessionAdapter(getDb()),
    // updateAge = maxAge: a session is never extended; it ends 8 hours after sign-in.
    session: { strategy: 'database', maxAge: SESSION_MAX_AGE_SECONDS, updateAge: SESSION_MAX_AGE_SECONDS },
    cookies: { sessionToken: { name: sessionCookieName(appUrl), options: cookieOptions(appUrl) } },
    // next-auth's stock pages never show: its sign-in, sign-out and error pages are the app's own.
    pages: { signIn: '/signin', signOut: '/signed-out', error: '/problem/signin-failed' },
    providers: [],
    callbacks: {
      // Auth.js's own callbackUrl (e.g. /api/auth/signout?callbackUrl=…) goes through the one redirect check.
      redirect: ({ url }) => safeRedirect(url, appUrl),
      // What GET /api/auth/session answers: who is signed in and until when. Never the session row (its token
      // hash) nor the whole user row.
      session({ session, user }) {
        return { user: { id: user.id, name: user.name, email: user.email }, expires: session.expires } as typeof session;
      },
    },
  };
});
