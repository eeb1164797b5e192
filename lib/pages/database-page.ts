// Pages, layouts and route handlers that read the database show the "temporarily unavailable" page while it is away
// (a restart, a failover) instead of failing with 500. A page cannot choose its status, so it redirects to
// /unavailable, which proxy.ts answers with 503; for a moment after that, proxy.ts answers other pages the same way
// directly (lib/db/unavailable.ts).
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { isDatabaseUnavailable, noteDatabaseUnavailable } from '../db/unavailable';
import { REQUEST_PATH_HEADER, unavailablePath } from './unavailable';

/** Wraps a page or layout: a database outage leads to the unavailable page, anything else is thrown as before. */
export function databasePage<P, R>(render: (props: P) => Promise<R>): (props: P) => Promise<R> {
  return async (props: P) => {
    try {
      return await render(props);
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      noteDatabaseUnavailable();
      redirect(unavailablePath((await headers()).get(REQUEST_PATH_HEADER)));
    }
  };
}

/** Wraps a route handler that browsers open (OAuth callback, connect links): an outage answers 303 to the unavailable page. */
export function databaseRoute<A extends unknown[]>(handle: (...args: A) => Promise<Response>): (...args: A) => Promise<Response> {
  return async (...args: A) => {
    try {
      return await handle(...args);
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      noteDatabaseUnavailable();
      // Back to the home page: a callback's code or a link's token does not belong in another page's URL.
      return new Response(null, { status: 303, headers: { location: unavailablePath('/'), 'cache-control': 'no-store' } });
    }
  };
}
