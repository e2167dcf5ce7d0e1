import { DeadLetterService, openOrm, type MikroORM } from '@cs/domain';
import { enabledSystems, loadConnectors, type Integration, type LoadedConnectors } from '@cs/integrations';
import { createKafka, createProducer, topics } from '@cs/kafka-schemas';
import { createLogger, EnvError, loadEnv, TokenBucket, type Logger } from '@cs/platform';
import { kafkaInboundFeed, logProgress, type InboundFeed, type Progress } from '@cs/sync-jobs';
import type { Producer } from 'kafkajs';
import { cliEnv } from './env';
import { CliError, EXIT } from './output';
import { barProgress } from './progress-bar';

/** What a command needs, opened lazily and closed once at the end. */
export class Context {
  readonly env = loadEnv(cliEnv);
  readonly logger: Logger = createLogger({ name: 'sync-cli', level: this.env.LOG_LEVEL === 'info' ? 'warn' : this.env.LOG_LEVEL, to: 'stderr' });
  readonly topics = topics(this.env.KAFKA_TOPIC_PREFIX);
  private ormP: Promise<MikroORM> | undefined;
  private producerP: Promise<Producer> | undefined;
  private connectorsV: LoadedConnectors | undefined;

  constructor(readonly json: boolean) {}

  orm(): Promise<MikroORM> {
    return (this.ormP ??= openOrm({ databaseUrl: this.env.DATABASE_URL, poolMax: 12 }));
  }

  /**
   * The system a command works on: `--system`, or the only one enabled (SYNC_SYSTEMS). Its
   * settings are read here, so a command that needs no system needs none of them.
   */
  integration(system?: string): Integration {
    const enabled = this.configured(() => enabledSystems(process.env));
    const name = system ?? (enabled.length === 1 ? enabled[0]! : undefined);
    if (name === undefined) throw new CliError(`several systems are enabled (${enabled.join(', ')}): choose one with --system`, EXIT.usage);
    if (!enabled.includes(name)) throw new CliError(`--system ${name} is not enabled (SYNC_SYSTEMS=${enabled.join(',')})`, EXIT.usage);
    this.connectorsV ??= this.configured(() => loadConnectors(process.env));
    return this.connectorsV.registry.get(name);
  }

  /** Reads per second for the system's backfill and reconcile: its connector's limit. */
  readLimiter(system: string): TokenBucket {
    return new TokenBucket(this.connectorsV!.limits.get(system)!.readsPerSec);
  }

  /** A bad or missing setting is a usage error of this command, said in one line per variable. */
  configured<T>(load: () => T): T {
    try {
      return load();
    } catch (err) {
      if (err instanceof EnvError) throw new CliError(err.problems.map((p) => `invalid environment: ${p}`).join('\n'), 78);
      throw err;
    }
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
