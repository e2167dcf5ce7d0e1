import type { Admin } from 'kafkajs';
import type { MikroORM } from '@mikro-orm/postgresql';
import { consumerLag } from '@cs/kafka-schemas';
import { deadLettersParked, kafkaConsumerLag, observeDbPool, refreshEvery, type Logger, type Refresher } from '@cs/platform';
import { poolStats } from '../pool-stats';
import { DeadLetterService } from './dead-letter-service';

export interface WorkerGaugeDeps {
  orm: MikroORM;
  admin: Admin;
  logger: Logger;
  /** The consumer groups this worker runs, and the topic each reads. */
  groups: Array<{ groupId: string; topic: string }>;
}

/**
 * The gauges every worker keeps that need a query or a broker call — dead letters parked and
 * Kafka consumer lag, refreshed in the background — and the DB pool, read at scrape time.
 * `extra` refreshers are stopped with them.
 */
export function startWorkerGauges({ orm, admin, logger, groups }: WorkerGaugeDeps, extra: (log: Logger) => Refresher[] = () => []): Refresher {
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
    ...extra(log),
  ];
  return { stop: async () => void (await Promise.all(refreshers.map((r) => r.stop()))) };
}
