import { getConfig } from '../config';
import { getDb } from '../db';
import { productApps } from '../providers/apps';
import { LEGACY_SIGN_IN_PRODUCT, signInProduct } from '../providers/registry';
import type { FlowContext } from './context';

export function appFlowContext(): FlowContext {
  const config = getConfig();
  return {
    db: getDb(),
    keys: config.encryptionKeys,
    appUrl: config.appUrl,
    adminEmails: config.adminEmails,
    apps: productApps(config),
    signInProduct: signInProduct(config.products) ?? LEGACY_SIGN_IN_PRODUCT,
    refreshMarginSeconds: config.refreshMarginSeconds,
  };
}
