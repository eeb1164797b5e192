// Every page's <title> has one pattern, "<page> · Reconnect": the page first (what a tab or a history entry must
// say), then the app. A dead end is titled for what it says, a refusal as a refusal, never as the page refused.
export const APP_TITLE = 'Reconnect';

export function pageTitle(page: string): string {
  return `${page} · ${APP_TITLE}`;
}

/** The title of the refusal an admin page shows anyone who is not an admin (app/forbidden.tsx). */
export const ADMINS_ONLY = 'Admins only';
