import { createServer } from 'node:http';
import { openOrm, pingDatabase } from '@cs/domain';
import { StripeIntegration, stripeConfigFromEnv } from '@cs/integrations';
import { createKafka, pingKafka } from '@cs/kafka-schemas';
import { buildHealthApp, createLogger, listen, loadEnv, onShutdown } from '@cs/platform';
import { workerEnv } from './env';

async function main() {
  const env = loadEnv(workerEnv);
  const logger = createLogger({ name: 'outbound-worker', level: env.LOG_LEVEL, pretty: env.LOG_PRETTY });
  const orm = await openOrm({ databaseUrl: env.DATABASE_URL, poolMax: env.DB_POOL_MAX });
  const kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId: `${env.KAFKA_CLIENT_ID}-outbound`, logger });
  const admin = kafka.admin();
  await admin.connect().catch((err: unknown) => logger.warn({ err }, 'kafka not reachable yet'));
  const stripe = new StripeIntegration(stripeConfigFromEnv(env));

  const health = buildHealthApp(logger, {
    environment: env.NODE_ENV,
    version: env.SERVICE_VERSION,
    checks: { database: () => pingDatabase(orm), kafka: () => pingKafka(admin), stripe: () => stripe.ping() },
    okText: { database: 'connected', kafka: 'connected', stripe: 'authenticated' },
  });
  const close = await listen(createServer(health), env.HEALTH_PORT, env.HOST);
  logger.info({ port: env.HEALTH_PORT }, 'outbound worker health listening');

  onShutdown(logger, [
    { name: 'http', run: close },
    { name: 'kafka', run: () => admin.disconnect() },
    { name: 'database', run: () => orm.close() },
  ]);
}

main().catch((err: unknown) => {
  process.stderr.write(`outbound-worker failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
