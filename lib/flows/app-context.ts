import { getConfig } from '../config';
import { getSql } from '../db';
import type { FlowContext } from './context';

export function appFlowContext(): FlowContext {
  const config = getConfig();
  return {
    sql: getSql(),
    keys: config.encryptionKeys,
    appUrl: config.appUrl,
    adminEmails: config.adminEmails,
    atlassian: config.atlassian,
    refreshMarginSeconds: config.refreshMarginSeconds,
  };
}
