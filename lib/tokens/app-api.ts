import { getConfig } from '../config';
import { getTokenEngine } from './index';

/** The app's Atlassian API access: the configured API base and the process-wide token engine. */
export function appProductApi() {
  return { apiUrl: getConfig().atlassian.apiUrl, tokens: getTokenEngine() };
}
