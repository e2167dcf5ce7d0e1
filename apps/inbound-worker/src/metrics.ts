import type { Admin } from 'kafkajs';
import { DeadLetterService, poolStats, type MikroORM } from '@cs/domain';
import { consumerLag } from '@cs/kafka-schemas';
import { deadLettersParked, kafkaConsumerLag, observeDbPool, reconcileDrift, refreshEvery, type Logger, type Refresher } from '@cs/platform';
import { readCursor } from '@cs/sync-jobs';

export interface WorkerMetricsDeps {
  orm: MikroORM;
  admin: Admin;
  logger: Logger;
  groups: Array<{ groupId: string; topic: string }>;
  /** Systems whose last reconciliation report feeds reconcile_drift. */
  systems: string[];
}

/**
 * The gauges that need a query or a broker call: dead letters, consumer lag, the drift of the
 * last reconciliation (written by the scheduled job or `pnpm sync reconcile`); and the pool at scrape time.
 */
export function startWorkerMetrics({ orm, admin, logger, groups, systems }: WorkerMetricsDeps): Refresher {
  observeDbPool(() => poolStats(orm));
  const log = logger.child({ module: 'metrics' });
  const dlq = new DeadLetterService(orm);
  const refreshers = [
    refreshEvery(log, 'dead letters', 15_000, async () => deadLettersParked().set(await dlq.count('parked'))),
    refreshEvery(log, 'kafka consumer lag', 10_000, async () => {
      for (const { groupId, topic } of groups) {
        for (const p of await consumerLag(admin, groupId, topic)) kafkaConsumerLag().set({ group: groupId, topic, partition: String(p.partition) }, p.lag);
      }
    }),
    refreshEvery(log, 'reconcile drift', 60_000, async () => {
      for (const system of systems) {
        const report = await readCursor<{ drift_count?: number }>(orm.em.fork(), `reconcile:${system}:last_report`);
        if (typeof report?.drift_count === 'number') reconcileDrift().set({ system }, report.drift_count);
      }
    }),
  ];
  return { stop: async () => void (await Promise.all(refreshers.map((r) => r.stop()))) };
}
