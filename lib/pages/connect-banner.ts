// The banner My connections shows after a connect or a reconnect. The OAuth callback lands on
// `/?connected=<product>&connection=<id>` (or `reconnected=`); the banner speaks of that connection only while it
// is live, so that it goes when the connection is disconnected, although the address keeps its query.
import { isProduct, productLabel } from '../providers/registry';

type Search = Record<string, string | string[] | undefined>;

/** The success sentence for this query, or null: the named connection must be among `live` (not disconnected). */
export function connectBanner(search: Search, live: readonly { id: string; product: string }[]): string | null {
  const id = search.connection;
  const conn = typeof id === 'string' ? live.find((c) => c.id === id) : undefined;
  if (!conn || !isProduct(conn.product)) return null;
  if (search.connected === conn.product) return `${productLabel(conn.product)} connected.`;
  if (search.reconnected === conn.product) return `${productLabel(conn.product)} reconnected — it is healthy again.`;
  return null;
}
