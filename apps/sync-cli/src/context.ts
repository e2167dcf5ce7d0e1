import { DeadLetterService, openOrm, type MikroORM } from '@cs/domain';
import { StripeIntegration, stripeConfigFromEnv, type Integration } from '@cs/integrations';
import { createKafka, createProducer, topics } from '@cs/kafka-schemas';
import { createLogger, loadEnv, TokenBucket, type Logger } from '@cs/platform';
import { kafkaInboundFeed, logProgress, type InboundFeed, type Progress } from '@cs/sync-jobs';
import type { Producer } from 'kafkajs';
import { cliEnv, readRate } from './env';
import { barProgress } from './progress-bar';

/** What a command needs, opened lazily and closed once at the end. */
export class Context {
  readonly env = loadEnv(cliEnv);
  readonly logger: Logger = createLogger({ name: 'sync-cli', level: this.env.LOG_LEVEL === 'info' ? 'warn' : this.env.LOG_LEVEL, to: 'stderr' });
  readonly topics = topics(this.env.KAFKA_TOPIC_PREFIX);
  private ormP: Promise<MikroORM> | undefined;
  private producerP: Promise<Producer> | undefined;
  private integrationV: Integration | undefined;

  constructor(readonly json: boolean) {}

  orm(): Promise<MikroORM> {
    return (this.ormP ??= openOrm({ databaseUrl: this.env.DATABASE_URL, poolMax: 12 }));
  }

  integration(): Integration {
    return (this.integrationV ??= new StripeIntegration(stripeConfigFromEnv({ ...this.env, STRIPE_WEBHOOK_SECRET: this.env.STRIPE_WEBHOOK_SECRET ?? [] })));
  }

  readLimiter(): TokenBucket {
    return new TokenBucket(readRate(this.env));
  }

  producer(): Promise<Producer> {
    return (this.producerP ??= (async () => {
      const p = createProducer(createKafka({ brokers: this.env.KAFKA_BROKERS, clientId: `${this.env.KAFKA_CLIENT_ID}-cli`, logger: this.logger }));
      await p.connect();
      return p;
    })());
  }

  async inboundFeed(): Promise<InboundFeed> {
    return kafkaInboundFeed(await this.producer(), this.topics.syncInbound);
  }

  async deadLetters(): Promise<DeadLetterService> {
    return new DeadLetterService(await this.orm());
  }

  progress(): Progress {
    return process.stderr.isTTY && !this.json ? barProgress() : logProgress(this.logger.child({ level: 'info' }));
  }

  async close(): Promise<void> {
    await Promise.all([this.ormP?.then((o) => o.close()), this.producerP?.then((p) => p.disconnect())]);
  }
}
