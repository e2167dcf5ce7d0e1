import { createServer } from 'node:http';
import { createParker, guardSystems, openOrm, pingDatabase, pushCustomer, pushCustomerBatch, pushInvoice } from '@cs/domain';
import { loadConnectors } from '@cs/integrations';
import { assertStarted, createKafka, createProducer, customerEventMessage, invoiceEventMessage, pingKafka, ReliableConsumer, topics, topicSpecs } from '@cs/kafka-schemas';
import { buildHealthApp, circuitSettings, createLogger, initMetrics, listen, loadConfig, onShutdown, parseEnv, recordExternalCall, TokenBucket } from '@cs/platform';
import { consumerHooks } from './consumer-hooks';
import { workerEnv } from './env';
import { startWorkerMetrics } from './metrics';

async function main() {
  // The worker's own settings and every enabled system's (SYNC_SYSTEMS), all problems at once.
  const [env, { registry: connected, limits, okText }] = loadConfig(() => parseEnv(workerEnv), () => loadConnectors(process.env, { onCall: recordExternalCall }));
  const logger = createLogger({ name: 'outbound-worker', level: env.LOG_LEVEL, pretty: env.LOG_PRETTY });
  initMetrics({ service: 'outbound-worker', enabled: env.METRICS });
  const orm = await openOrm({ databaseUrl: env.DATABASE_URL, poolMax: env.DB_POOL_MAX });
  const kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId: `${env.KAFKA_CLIENT_ID}-outbound`, logger });
  const admin = kafka.admin();
  const producer = createProducer(kafka);
  await Promise.all([admin.connect(), producer.connect()]);
  const names = topics(env.KAFKA_TOPIC_PREFIX);
  // Each system behind its circuit breaker: an outage holds its messages instead of parking them.
  const circuits = guardSystems(connected, circuitSettings(env), { orm, logger, service: 'outbound-worker' });
  const registry = circuits.registry;

  // Every enabled system, each with its own consumer group on customer.events (and, when it syncs
  // invoices, one on invoice.events): a slow or failing system lags on its own and never stalls another.
  const systems = registry.systems();
  const depsOf = new Map(
    systems.map((system) => {
      const log = logger.child({ system });
      return [system, { orm, integration: registry.get(system), limiter: new TokenBucket(limits.get(system)!.writesPerSec), logger: log, crashAfterCreate: env.FAULT_CRASH_AFTER_EXTERNAL_CREATE }];
    }),
  );
  const common = <S extends typeof customerEventMessage | typeof invoiceEventMessage>(system: string, catalog: 'customer' | 'invoice') => {
    const deps = depsOf.get(system)!;
    return {
      kafka,
      logger: deps.logger,
      concurrency: env.OUTBOUND_CONCURRENCY,
      maxBytesPerPartition: env.OUTBOUND_FETCH_BYTES,
      retry: { maxAttempts: env.OUTBOUND_MAX_ATTEMPTS, baseMs: env.OUTBOUND_RETRY_BASE_MS, maxMs: env.OUTBOUND_RETRY_MAX_MS },
      classify: (err: unknown) => deps.integration.classifyError(err),
      park: createParker({ orm, producer, dlqTopic: names.syncDlq, system, direction: 'outbound' }),
      circuit: () => circuits.breakers.get(system),
      ...consumerHooks<S>(system, deps.logger, catalog),
    };
  };
  const groups = [
    ...systems.map((system) => ({ system, groupId: `${env.KAFKA_CLIENT_ID}-outbound-${system}`, topic: names.customerEvents })),
    ...systems.filter((s) => registry.get(s).catalogs.invoice).map((system) => ({ system, groupId: `${env.KAFKA_CLIENT_ID}-outbound-${system}-invoice`, topic: names.invoiceEvents })),
  ];
  const consumers = [
    ...systems.map((system) => {
      const deps = depsOf.get(system)!;
      return new ReliableConsumer({
        ...common<typeof customerEventMessage>(system, 'customer'),
        groupId: `${env.KAFKA_CLIENT_ID}-outbound-${system}`,
        topic: names.customerEvents,
        schema: customerEventMessage,
        // Every partition at once: kafkajs fetches again only when all batches of a fetch are done,
        // so a partition left waiting for a slot adds a whole round to its messages' latency.
        partitionsConsumedConcurrently: topicSpecs.customerEvents.partitions,
        handle: (msg, ctx) => pushCustomer(deps, msg, ctx),
        // A backlog in bulk where the system has bulk writes (a no-op for the others).
        handleBatch: (items) => pushCustomerBatch(deps, items),
      });
    }),
    ...groups
      .filter((g) => g.topic === names.invoiceEvents)
      .map(({ system, groupId, topic }) => {
        const deps = depsOf.get(system)!;
        return new ReliableConsumer({
          ...common<typeof invoiceEventMessage>(system, 'invoice'),
          groupId,
          topic,
          schema: invoiceEventMessage,
          partitionsConsumedConcurrently: topicSpecs.invoiceEvents.partitions,
          handle: async (msg, ctx) => {
            await pushInvoice(deps, msg, ctx);
          },
        });
      }),
  ];

  const health = buildHealthApp(logger, {
    environment: env.NODE_ENV,
    version: env.SERVICE_VERSION,
    checks: {
      database: () => pingDatabase(orm),
      // Ready once every consumer has joined its group (see the inbound worker).
      kafka: () => pingKafka(admin).then(() => assertStarted(consumers.every((c) => c.started))),
      ...Object.fromEntries(registry.systems().map((s) => [s, () => registry.get(s).ping()])),
    },
    // Each system's circuit, in words: informative, since an open one is the worker doing its job.
    advisory: circuits.health,
    okText: { database: 'connected', kafka: 'connected', ...okText },
  });
  const close = await listen(createServer(health), env.HEALTH_PORT, env.HOST);
  await Promise.all(consumers.map((c) => c.start()));
  const metrics = startWorkerMetrics({ orm, admin, logger, groups });
  logger.info({ port: env.HEALTH_PORT, systems: registry.systems(), limits: Object.fromEntries(limits) }, 'outbound worker running');

  onShutdown(logger, [
    { name: 'consumers (finish in-flight, commit)', run: () => Promise.all(consumers.map((c) => c.stop())) },
    { name: 'circuits', run: () => circuits.stop() },
    { name: 'http', run: close },
    { name: 'metrics', run: () => metrics.stop() },
    { name: 'kafka', run: () => Promise.all([producer.disconnect(), admin.disconnect()]) },
    { name: 'database', run: () => orm.close() },
  ]);
}

main().catch((err: unknown) => {
  process.stderr.write(`outbound-worker failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
