import { createServer } from 'node:http';
import { loadWebhookVerifiers } from '@cs/integrations';
import { BatchingPublisher, createKafka, pingKafka, topics } from '@cs/kafka-schemas';
import { createLogger, initMetrics, listen, loadConfig, onShutdown, parseEnv, webhookEvents } from '@cs/platform';
import { gatewayEnv } from './env';
import { buildApp } from './server';

async function main() {
  const [env, verifiers] = loadConfig(() => parseEnv(gatewayEnv), () => loadWebhookVerifiers(process.env));
  const logger = createLogger({ name: 'webhook-gateway', level: env.LOG_LEVEL, pretty: env.LOG_PRETTY });
  initMetrics({ service: 'webhook-gateway', enabled: env.METRICS });
  const kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId: `${env.KAFKA_CLIENT_ID}-gateway`, logger });
  const admin = kafka.admin();
  // Not idempotent on purpose: webhook events carry their own ids and the inbound worker dedupes,
  // and a plain producer fails fast (→ 503, so Stripe retries) instead of stalling.
  const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 2, initialRetryTime: 100 } });
  await admin.connect().catch((err: unknown) => logger.warn({ err }, 'kafka not reachable yet'));
  await producer.connect().catch((err: unknown) => logger.warn({ err }, 'kafka producer not connected yet'));

  const app = buildApp({
    logger,
    environment: env.NODE_ENV,
    version: env.SERVICE_VERSION,
    checks: { kafka: () => pingKafka(admin) },
    verifiers,
    publisher: new BatchingPublisher(producer, topics(env.KAFKA_TOPIC_PREFIX).syncInbound, { lingerMs: env.WEBHOOK_LINGER_MS }),
    // system is one we have a verifier for (unknown systems get a 404 before this), so the label stays bounded.
    onEvent: (system, outcome) => webhookEvents().inc({ system, outcome }),
  });
  const close = await listen(createServer(app), env.WEBHOOK_PORT, env.HOST);
  logger.info({ port: env.WEBHOOK_PORT, systems: [...verifiers.keys()] }, 'webhook gateway listening');

  onShutdown(logger, [
    { name: 'http (finish in-flight requests)', run: close },
    { name: 'kafka', run: () => Promise.all([producer.disconnect(), admin.disconnect()]) },
  ]);
}

main().catch((err: unknown) => {
  process.stderr.write(`webhook-gateway failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
