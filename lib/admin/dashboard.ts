// Everything /admin shows, loaded in parallel on the pool: the page of connections, the per-status
// counts, the refresh activity, the failure reasons and the operator-error count.
import type { Sql } from 'postgres';
import {
  currentFailureReasons,
  refreshOutcomesByDay,
  topFailureCodes,
  type CurrentReasonCount,
  type DayOutcomes,
  type ReasonCount,
} from './activity';
import { listAdminConnections, type AdminConnectionPage } from './connections';
import { countByStatus, countConfigurationErrors, type StatusCounts } from './counts';
import { resolveFilter } from './filters';
import type { AdminQuery } from './params';

export interface AdminDashboard {
  page: AdminConnectionPage;
  counts: StatusCounts;
  outcomes: DayOutcomes[];
  failureCodes: ReasonCount[];
  currentReasons: CurrentReasonCount[];
  configurationErrors: number;
}

export async function loadAdminDashboard(sql: Sql, query: AdminQuery, now = new Date()): Promise<AdminDashboard> {
  // The search's plan is resolved once and shared by the list and the counts.
  const listAndCounts = resolveFilter(sql, query).then((filter) =>
    Promise.all([listAdminConnections(sql, filter), countByStatus(sql, filter)]),
  );
  const [[page, counts], outcomes, failureCodes, currentReasons, configurationErrors] = await Promise.all([
    listAndCounts,
    refreshOutcomesByDay(sql, now),
    topFailureCodes(sql, now),
    currentFailureReasons(sql),
    countConfigurationErrors(sql),
  ]);
  return { page, counts, outcomes, failureCodes, currentReasons, configurationErrors };
}
