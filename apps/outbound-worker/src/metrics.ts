import type { Admin } from 'kafkajs';
import { DeadLetterService, poolStats, type MikroORM } from '@cs/domain';
import { consumerLag } from '@cs/kafka-schemas';
import { deadLettersParked, kafkaConsumerLag, observeDbPool, refreshEvery, type Logger, type Refresher } from '@cs/platform';

export interface WorkerMetricsDeps {
  orm: MikroORM;
  admin: Admin;
  logger: Logger;
  /** The consumer groups this worker runs, and the topic each reads. */
  groups: Array<{ groupId: string; topic: string }>;
}

/** The gauges that need a query or a broker call: dead letters, consumer lag; and the pool at scrape time. */
export function startWorkerMetrics({ orm, admin, logger, groups }: WorkerMetricsDeps): Refresher {
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
  ];
  return { stop: async () => void (await Promise.all(refreshers.map((r) => r.stop()))) };
}
