import { createServer } from 'node:http';
import { openOrm, pingDatabase } from '@cs/domain';
import { createKafka, pingKafka } from '@cs/kafka-schemas';
import { createLogger, listen, loadEnv, onShutdown } from '@cs/platform';
import { apiEnv } from './env';
import { buildApp } from './server';

async function main() {
  const env = loadEnv(apiEnv);
  const logger = createLogger({ name: 'api', level: env.LOG_LEVEL, pretty: env.LOG_PRETTY });
  const orm = await openOrm({ databaseUrl: env.DATABASE_URL, poolMax: env.DB_POOL_MAX });
  const kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId: `${env.KAFKA_CLIENT_ID}-api`, logger });
  const admin = kafka.admin();
  await admin.connect().catch((err: unknown) => logger.warn({ err }, 'kafka not reachable yet'));

  const app = buildApp({
    logger,
    environment: env.NODE_ENV,
    version: env.SERVICE_VERSION,
    checks: { database: () => pingDatabase(orm), kafka: () => pingKafka(admin) },
  });
  const close = await listen(createServer(app), env.API_PORT, env.HOST);
  logger.info({ port: env.API_PORT }, 'api listening');

  onShutdown(logger, [
    { name: 'http', run: close },
    { name: 'kafka', run: () => admin.disconnect() },
    { name: 'database', run: () => orm.close() },
  ]);
}

main().catch((err: unknown) => {
  process.stderr.write(`api failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
