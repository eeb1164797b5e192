import { createConnectSession } from '../connect-sessions';
import { getConfig } from '../config';
import { getDb } from '../db';
import { ConnectionUnavailableError } from '../connections/errors';
import { apiError, databaseUnavailable } from './http';

export const notFound = (id: string) => apiError(404, 'not_found', `No connection ${id.slice(0, 64)}.`);

/** Maps the token engine's stable codes to the service API's answers (409 needs_reauth with a fresh reconnect link). */
export async function connectionErrorResponse(err: unknown, id: string): Promise<Response> {
  if (!(err instanceof ConnectionUnavailableError)) throw err;
  switch (err.code) {
    case 'not_found':
      return notFound(id);
    case 'needs_reauth': {
      const link = await createConnectSession(getDb(), getConfig().appUrl, { connection_id: id });
      return apiError(409, 'needs_reauth', 'The connection needs to be reconnected by its user.', { reason: err.reason, reconnect_url: link.url });
    }
    case 'configuration_error':
      return apiError(503, 'configuration_error', 'The provider rejected the app credentials or request; an admin must fix the configuration.', { reason: err.reason }, { 'retry-after': '300' });
    case 'temporarily_unavailable':
      // The engine lost its database connection (restart, failover): the same answer as any other call then.
      if (err.reason === 'database') return databaseUnavailable();
      return apiError(503, 'temporarily_unavailable', err.message, { reason: err.reason }, { 'retry-after': String(err.retryAfterSeconds ?? 30) });
  }
}
