import { startWorkerGauges, type WorkerGaugeDeps } from '@cs/domain';
import { reconcileDrift, refreshEvery, type Refresher } from '@cs/platform';
import { readCursor } from '@cs/sync-jobs';

export interface WorkerMetricsDeps extends WorkerGaugeDeps {
  /** Systems whose last reconciliation report feeds reconcile_drift. */
  systems: string[];
}

/**
 * Every worker's gauges, plus the drift of the last reconciliation (written by the scheduled job
 * or `pnpm sync reconcile`).
 */
export function startWorkerMetrics({ systems, ...deps }: WorkerMetricsDeps): Refresher {
  return startWorkerGauges(deps, (log) => [
    refreshEvery(log, 'reconcile drift', 60_000, async () => {
      for (const system of systems) {
        const report = await readCursor<{ drift_count?: number }>(deps.orm.em.fork(), `reconcile:${system}:last_report`);
        if (typeof report?.drift_count === 'number') reconcileDrift().set({ system }, report.drift_count);
      }
    }),
  ]);
}
