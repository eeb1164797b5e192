// Renewal (docs/connection-states.md, "The year"): a provider may end every token family a fixed time after
// the consent that started it (Atlassian: 365 days), however often it is refreshed. The consent time is
// recorded at each code exchange; renew_by follows from it; the window opens RENEW_WARNING_DAYS before.
import { providerOf, type Product } from '../providers/registry';

const DAY_MS = 86_400_000;
/** A terminal refresh error this close before renew_by already counts as the end of the year (clock skew). */
export const CONSENT_SKEW_MS = 60_000;

/** When the family consented at `consentedAt` ends; null for a provider without an absolute lifetime. */
export function renewByFor(product: Product, consentedAt: Date): Date | null {
  const lifetime = providerOf(product).capabilities.absoluteLifetimeSeconds;
  return lifetime === null ? null : new Date(consentedAt.getTime() + lifetime * 1000);
}

/** The columns every code exchange writes: a new consent starts a new year and a new window. */
export function consentColumns(product: Product, at: Date) {
  return { consentedAt: at, renewBy: renewByFor(product, at), renewWarnedAt: null };
}

/** Did a family refused at `at` reach its absolute lifetime (within a minute of clock skew)? */
export function reachedAbsoluteLifetime(renewBy: Date | null, at: Date): boolean {
  return renewBy !== null && at.getTime() >= renewBy.getTime() - CONSENT_SKEW_MS;
}

/** Is a live connection inside its renewal window at `at`? */
export function inRenewalWindow(status: string, renewBy: Date | null, at: Date, warningDays: number): boolean {
  if (!renewBy || (status !== 'active' && status !== 'degraded')) return false;
  return renewBy.getTime() - at.getTime() <= warningDays * DAY_MS;
}

/** Whole days left until renew_by (0 on its last day). */
export function daysLeft(renewBy: Date, at: Date): number {
  return Math.max(0, Math.floor((renewBy.getTime() - at.getTime()) / DAY_MS));
}

/** Families ending by this time are inside their window at `at`. */
export function renewHorizon(at: Date, warningDays: number): Date {
  return new Date(at.getTime() + warningDays * DAY_MS);
}

/** The start of the window for a given renew_by. */
export function windowOpensAt(renewBy: Date, warningDays: number): Date {
  return new Date(renewBy.getTime() - warningDays * DAY_MS);
}
