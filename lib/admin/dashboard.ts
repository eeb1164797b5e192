// Everything /admin shows, loaded in parallel on the pool: the page of connections, the per-status
// counts, the refresh activity, the failure reasons and the operator-error count.
import type { Executor } from '../db';
import {
  currentFailureReasons,
  refreshOutcomesByDay,
  topFailureCodes,
  type CurrentReasonCount,
  type DayOutcomes,
  type ReasonCount,
} from './activity';
import { listAdminConnections, type AdminConnectionPage } from './connections';
import { countByStatus, countConfigurationErrors, countRenewSoon, type StatusCounts } from './counts';
import { resolveFilter } from './filters';
import type { AdminQuery } from './params';

export interface AdminDashboard {
  page: AdminConnectionPage;
  counts: StatusCounts;
  outcomes: DayOutcomes[];
  failureCodes: ReasonCount[];
  currentReasons: CurrentReasonCount[];
  configurationErrors: number;
  /** Live connections inside their renewal window (the "Renew soon" chip); absent without a horizon. */
  renewSoon?: { count: number; atLeast: boolean };
}

/** `renewHorizon`: now + RENEW_WARNING_DAYS, for the "Renew soon" chip and filter. */
export async function loadAdminDashboard(db: Executor, query: AdminQuery, now = new Date(), renewHorizon?: Date): Promise<AdminDashboard> {
  // The search's plan is resolved once and shared by the list and the counts.
  const listAndCounts = resolveFilter(db, query, renewHorizon).then((filter) =>
    Promise.all([listAdminConnections(db, filter), countByStatus(db, filter)]),
  );
  const [[page, counts], outcomes, failureCodes, currentReasons, configurationErrors, renewSoon] = await Promise.all([
    listAndCounts,
    refreshOutcomesByDay(db, now),
    topFailureCodes(db, now),
    currentFailureReasons(db),
    countConfigurationErrors(db),
    renewHorizon ? countRenewSoon(db, renewHorizon) : undefined,
  ]);
  return { page, counts, outcomes, failureCodes, currentReasons, configurationErrors, renewSoon };
}
