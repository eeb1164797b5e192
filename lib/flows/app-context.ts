import { now } from '../clock';
import { getConfig } from '../config';
import { getDb } from '../db';
import { productApps } from '../providers/apps';
import type { FlowContext } from './context';

export function appFlowContext(): FlowContext {
  const config = getConfig();
  return {
    db: getDb(),
    keys: config.encryptionKeys,
    appUrl: config.appUrl,
    adminEmails: config.adminEmails,
    apps: productApps(config),
    signInProduct: config.products.includes('jira') ? 'jira' : 'bitbucket',
    refreshMarginSeconds: config.refreshMarginSeconds,
    tokenNow: now,
  };
}
