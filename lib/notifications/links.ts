// The secrets a notification mail carries, derived from the notification's id with the app's secret
// (HMAC), so that a resend after a crash carries the same links. Only their SHA-256 is stored.
import { createHash, createHmac } from 'node:crypto';

export { RECONNECT_LINK_DAYS } from '../connections/reconnect-link';
// Same length as newSecret(): 32 bytes, base64url.
const derive = (secret: string, purpose: string, id: string) => createHmac('sha256', secret).update(`${purpose}:${id}`).digest('base64url');

/** The Reconnect button's connect-session token. */
export const reconnectLinkToken = (secret: string, notificationId: string) => derive(secret, 'reconnect-link', notificationId);

/** The one-click unsubscribe token (List-Unsubscribe). */
export const unsubscribeToken = (secret: string, notificationId: string) => derive(secret, 'unsubscribe', notificationId);

export const unsubscribeUrl = (appUrl: string, token: string) => `${appUrl}/api/notifications/unsubscribe/${token}`;

/** Stable per notification (mail clients fold duplicates), and it does not reveal the notification's id. */
export function messageIdFor(notificationId: string, appUrl: string): string {
  const local = createHash('sha256').update(`message-id:${notificationId}`).digest('hex').slice(0, 32);
  return `<${local}@${new URL(appUrl).hostname}>`;
}
