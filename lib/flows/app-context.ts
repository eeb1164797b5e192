import { getConfig } from '../config';
import { getSql } from '../db';
import { productApps } from '../providers/apps';
import type { FlowContext } from './context';

export function appFlowContext(): FlowContext {
  const config = getConfig();
  return {
    sql: getSql(),
    keys: config.encryptionKeys,
    appUrl: config.appUrl,
    adminEmails: config.adminEmails,
    apps: productApps(config),
    signInProduct: config.products.includes('jira') ? 'jira' : 'bitbucket',
    refreshMarginSeconds: config.refreshMarginSeconds,
  };
}
