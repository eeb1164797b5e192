import { getConfig } from '../config';
import { productApps } from '../providers/apps';
import { getTokenEngine } from './index';

/** The app's product API access: each product's configured app and the process-wide token engine. */
export function appProductApi() {
  return { apps: productApps(getConfig()), tokens: getTokenEngine() };
}
