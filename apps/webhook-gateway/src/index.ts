import { createServer } from 'node:http';
import { createKafka, pingKafka } from '@cs/kafka-schemas';
import { createLogger, listen, loadEnv, onShutdown } from '@cs/platform';
import { gatewayEnv } from './env';
import { buildApp } from './server';

async function main() {
  const env = loadEnv(gatewayEnv);
  const logger = createLogger({ name: 'webhook-gateway', level: env.LOG_LEVEL, pretty: env.LOG_PRETTY });
  const kafka = createKafka({ brokers: env.KAFKA_BROKERS, clientId: `${env.KAFKA_CLIENT_ID}-gateway`, logger });
  const admin = kafka.admin();
  await admin.connect().catch((err: unknown) => logger.warn({ err }, 'kafka not reachable yet'));

  const app = buildApp({ logger, environment: env.NODE_ENV, version: env.SERVICE_VERSION, checks: { kafka: () => pingKafka(admin) } });
  const close = await listen(createServer(app), env.WEBHOOK_PORT, env.HOST);
  logger.info({ port: env.WEBHOOK_PORT }, 'webhook gateway listening');

  onShutdown(logger, [
    { name: 'http', run: close },
    { name: 'kafka', run: () => admin.disconnect() },
  ]);
}

main().catch((err: unknown) => {
  process.stderr.write(`webhook-gateway failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
