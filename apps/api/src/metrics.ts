import { DeadLetterService, poolStats, type MikroORM } from '@cs/domain';
import { deadLettersParked, initMetrics, observeDbPool, refreshEvery, type Logger, type Refresher } from '@cs/platform';
import { watchOutboxBacklog } from './relay/backlog-monitor';

export interface ApiMetricsDeps {
  orm: MikroORM;
  logger: Logger;
  /** env METRICS */
  enabled: boolean;
  /** The relay runs here, so this process reports the outbox backlog. */
  relay: boolean;
}

/**
 * Turns metrics on for the API process (call before the app is built: it adds /metrics) and
 * starts the gauges that need a query. HTTP and outbox counters record themselves.
 */
export function startApiMetrics({ orm, logger, enabled, relay }: ApiMetricsDeps): Refresher {
  initMetrics({ service: 'api', enabled });
  observeDbPool(() => poolStats(orm));
  const log = logger.child({ module: 'metrics' });
  const dlq = new DeadLetterService(orm);
  const refreshers = [
    refreshEvery(log, 'dead letters', 15_000, async () => deadLettersParked().set(await dlq.count('parked'))),
    ...(relay ? [watchOutboxBacklog(orm, log)] : []),
  ];
  return { stop: async () => void (await Promise.all(refreshers.map((r) => r.stop()))) };
}
