import { createServer } from 'node:http';
import { createParker, guardSystems, openOrm, pingDatabase, retentionSettings } from '@cs/domain';
import { loadConnectors } from '@cs/integrations';
import { assertStarted, createKafka, createProducer, inboundMessage, pingKafka, ReliableConsumer, topics } from '@cs/kafka-schemas';
import { applyNice, buildHealthApp, circuitSettings, createLogger, initMetrics, listen, loadConfig, onShutdown, parseEnv, recordExternalCall, TokenBucket } from '@cs/platform';
import { kafkaInboundFeed } from '@cs/sync-jobs';
import { applyEvent, applyEventBatch, classifyInbound } from './apply-event';
import { consumerHooks } from './consumer-hooks';
import { workerEnv } from './env';
import { startWorkerMetrics } from './metrics';
import { startRetention } from './retention-schedule';
import { startRollups } from './rollup-schedule';
import { startSchedules } from './schedules';

async function main() {
  // The worker's own settings and every enabled system's (SYNC_SYSTEMS), all problems at once.
  const [env, { registry: connected, limits, okText }] = loadConfig(() => parseEnv(workerEnv), () => loadConnectors(process.env, { onCall: recordExternalCall }));
  const logger = createLogger({ name: 'inbound-worker', level: env.LOG_LEVEL, pretty: env.LOG_PRETTY });
  initMetrics({ service: 'inbound-worker', enabled: env.METRICS });
  const priority = applyNice(env.INBOUND_WORKER_NICE, logger);
  if (priority.threads > 0) logger.info({ nice: env.INBOUND_WORKER_NICE, ...priority }, 'CPU priority set');
  const orm = await openOrm({ databaseUrl: env.DATABASE_URL, poolMax: env.DB_POOL_MAX });
  const kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId: `${env.KAFKA_CLIENT_ID}-inbound`, logger });
  const admin = kafka.admin();
  const producer = createProducer(kafka);
  await Promise.all([admin.connect(), producer.connect()]);
  const names = topics(env.KAFKA_TOPIC_PREFIX);
  // Each system behind its circuit breaker: the refetches of current state, the catch-up polls and
  // reconciliation stop calling a system that is down, and its changes wait instead of parking.
  const circuits = guardSystems(connected, circuitSettings(env), { orm, logger, service: 'inbound-worker' });
  const registry = circuits.registry;

  const deps = { orm, registry, logger };
  const group = { groupId: `${env.KAFKA_CLIENT_ID}-inbound`, topic: names.syncInbound };
  const consumer = new ReliableConsumer({
    kafka,
    ...group,
    schema: inboundMessage,
    logger,
    concurrency: env.INBOUND_CONCURRENCY,
    retry: { maxAttempts: env.INBOUND_MAX_ATTEMPTS, baseMs: env.INBOUND_RETRY_BASE_MS, maxMs: env.INBOUND_RETRY_MAX_MS },
    handle: (msg, ctx) => applyEvent(deps, msg, ctx),
    handleBatch: (items) => applyEventBatch(deps, items),
    // Waves grow with the traffic (a fetch answers once 256 KB are there), and the end of a burst
    // waits at most 25 ms for more: with 100 ms, the last events of a burst of 5,000 waited for
    // the timer, and were applied 0.13-0.27 s after the last ack instead of 0.09-0.20 s (two
    // webhook-peer runs each, docs/benchmarks.md), at no measurable CPU per event.
    minBytes: 256 * 1024,
    maxWaitMs: 25,
    // One commit a second for all partitions instead of one per partition batch: the broker took
    // about one commit for every three produce requests of the gateway under the webhook
    // benchmark, on the same request threads. A crash re-applies at most a second more (deduped).
    commitIntervalMs: 1_000,
    classify: (err, msg) => classifyInbound(deps, msg, err),
    park: createParker({ orm, producer, dlqTopic: names.syncDlq, system: null, direction: 'inbound' }),
    circuit: (msg) => circuits.breakers.get(msg.payload.system),
    // Most changes need no call to their system: only one that does (a refetch) waits for its circuit.
    circuitBeforeHandling: false,
    ...consumerHooks(registry, logger),
  });

  const health = buildHealthApp(logger, {
    environment: env.NODE_ENV,
    version: env.SERVICE_VERSION,
    checks: {
      database: () => pingDatabase(orm),
      // Ready once the consumer has joined its group: before that a SIGTERM would find no
      // shutdown handler yet, and the worker takes no work anyway.
      kafka: () => pingKafka(admin).then(() => assertStarted(consumer.started)),
      ...Object.fromEntries(registry.systems().map((s) => [s, () => registry.get(s).ping()])),
    },
    advisory: circuits.health,
    okText: { database: 'connected', kafka: 'connected', ...okText },
  });
  const close = await listen(createServer(health), env.HEALTH_PORT, env.HOST);
  await consumer.start();
  const synced = registry.systems().map((system) => ({ system, catalogs: Object.keys(registry.get(system).catalogs) }));
  const metrics = startWorkerMetrics({ orm, admin, logger, groups: [group], systems: synced });
  const feed = kafkaInboundFeed(producer, names.syncInbound);
  // Each system's catch-up and reconciliation, at its own read rate.
  const schedules = registry.systems().map((system) =>
    startSchedules(
      { orm, integration: registry.get(system), feed, limiter: new TokenBucket(limits.get(system)!.readsPerSec), logger: logger.child({ module: 'schedules', system }) },
      { catchUpMs: env.CATCHUP_INTERVAL_MS, reconcileMs: env.RECONCILE_INTERVAL_MS, repair: env.RECONCILE_REPAIR },
    ),
  );
  // The bounded tables' job is about our database, not a system: one schedule, not one per system.
  const retention = startRetention({ orm, logger }, retentionSettings(env), env.RETENTION_INTERVAL_MS);
  const rollups = startRollups({ orm, logger }, env.ROLLUP_INTERVAL_MS);
  logger.info({ port: env.HEALTH_PORT, systems: registry.systems() }, 'inbound worker running');

  onShutdown(logger, [
    { name: 'scheduled jobs', run: () => Promise.all([...schedules, retention, rollups].map((s) => s.stop())) },
    { name: 'consumer (finish in-flight, commit)', run: () => consumer.stop() },
    { name: 'circuits', run: () => circuits.stop() },
    { name: 'http', run: close },
    { name: 'metrics', run: () => metrics.stop() },
    { name: 'kafka', run: () => Promise.all([producer.disconnect(), admin.disconnect()]) },
    { name: 'database', run: () => orm.close() },
  ]);
}

main().catch((err: unknown) => {
  process.stderr.write(`inbound-worker failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
