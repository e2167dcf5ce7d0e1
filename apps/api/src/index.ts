import { createServer } from 'node:http';
import { CustomerService, DeadLetterService, InvoiceService, openOrm, pingDatabase } from '@cs/domain';
import { catalogTopics, createKafka, createProducer, pingKafka } from '@cs/kafka-schemas';
import { probeConnectors } from '@cs/integrations';
import { createLogger, listen, loadConfig, onShutdown, parseEnv, type HealthCheck } from '@cs/platform';
import { apiEnv } from './env';
import { rateLimitFromEnv } from './http/rate-limit';
import { kafkaRepublish } from './kafka-republish';
import { startApiMetrics } from './metrics';
import { OutboxRelay } from './relay/outbox-relay';
import { buildApp } from './server';

/**
 * Each enabled system's reachability, for the operator: the API never calls them (the outbox
 * decouples it), so they are shown on /health/ready without deciding it, and a system whose
 * settings this process lacks says "not configured (…)".
 */
function systemChecks(probed: ReturnType<typeof probeConnectors>): { advisory: Record<string, HealthCheck>; okText: Record<string, string> } {
  const advisory: Record<string, HealthCheck> = {};
  for (const p of probed) {
    advisory[p.system] = p.integration ? () => p.integration.ping() : () => Promise.resolve(`not configured (${p.notConfigured}; the workers check ${p.system})`);
  }
  return { advisory, okText: Object.fromEntries(probed.map((p) => [p.system, p.okText])) };
}

async function main() {
  const [env, probed] = loadConfig(() => parseEnv(apiEnv), () => probeConnectors(process.env));
  const systems = systemChecks(probed);
  const logger = createLogger({ name: 'api', level: env.LOG_LEVEL, pretty: env.LOG_PRETTY });
  if (!env.API_KEYS) {
    if (env.NODE_ENV === 'production') {
      process.stderr.write('invalid environment: API_KEYS: required when NODE_ENV=production (the API would be open)\n');
      process.exit(78);
    }
    logger.warn('!!! API_KEYS is not set: the API accepts requests WITHOUT authentication (allowed only outside production) !!!');
  }

  const orm = await openOrm({ databaseUrl: env.DATABASE_URL, poolMax: env.DB_POOL_MAX });
  // Before buildApp: it adds /metrics only when metrics are on.
  const metrics = startApiMetrics({ orm, logger, enabled: env.METRICS, relay: env.RELAY_ENABLED });
  const kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId: `${env.KAFKA_CLIENT_ID}-api`, logger });
  const admin = kafka.admin();
  const producer = createProducer(kafka);
  // The API must accept writes while Kafka is down: connect in the background, the relay retries.
  void admin.connect().catch((err: unknown) => logger.warn({ err }, 'kafka admin not connected yet'));

  const relay = env.RELAY_ENABLED
    ? new OutboxRelay({
        databaseUrl: env.DATABASE_URL,
        producer,
        topics: catalogTopics(env.KAFKA_TOPIC_PREFIX),
        logger: logger.child({ module: 'outbox-relay' }),
        pollMs: env.RELAY_POLL_MS,
        activePollMs: env.RELAY_ACTIVE_POLL_MS,
      })
    : undefined;
  relay?.start();

  const app = buildApp({
    logger,
    environment: env.NODE_ENV,
    version: env.SERVICE_VERSION,
    checks: { database: () => pingDatabase(orm), kafka: () => pingKafka(admin) },
    advisory: systems.advisory,
    okText: systems.okText,
    systems: probed.map((p) => p.system),
    customers: new CustomerService(orm),
    invoices: new InvoiceService(orm),
    orm,
    deadLetters: new DeadLetterService(orm),
    republish: kafkaRepublish(producer),
    apiKeys: env.API_KEYS,
    rateLimit: rateLimitFromEnv(env),
  });
  const close = await listen(createServer(app), env.API_PORT, env.HOST);
  logger.info({ port: env.API_PORT, relay: env.RELAY_ENABLED }, 'api listening');

  onShutdown(logger, [
    { name: 'http', run: close },
    { name: 'outbox relay', run: async () => relay?.stop() },
    { name: 'kafka', run: () => Promise.all([producer.disconnect(), admin.disconnect()]) },
    { name: 'metrics', run: () => metrics.stop() },
    { name: 'database', run: () => orm.close() },
  ]);
}

main().catch((err: unknown) => {
  process.stderr.write(`api failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
