import { reconcileReportName, startWorkerGauges, type WorkerGaugeDeps } from '@cs/domain';
import { reconcileDrift, refreshEvery, type Refresher } from '@cs/platform';
import { readCursor } from '@cs/sync-jobs';

export interface WorkerMetricsDeps extends WorkerGaugeDeps {
  /** Systems, each with the catalogs it syncs, whose last reconciliation reports feed reconcile_drift. */
  systems: Array<{ system: string; catalogs: string[] }>;
}

/**
 * Every worker's gauges, plus the drift of the last reconciliation (written by the scheduled job
 * or `pnpm sync reconcile`).
 */
export function startWorkerMetrics({ systems, ...deps }: WorkerMetricsDeps): Refresher {
  return startWorkerGauges(deps, (log) => [
    refreshEvery(log, 'reconcile drift', 60_000, async () => {
      for (const { system, catalogs } of systems) {
        for (const catalog of catalogs) {
          const report = await readCursor<{ drift_count?: number }>(deps.orm.em.fork(), reconcileReportName(system, catalog));
          if (typeof report?.drift_count === 'number') reconcileDrift().set({ system, catalog }, report.drift_count);
        }
      }
    }),
  ]);
}
