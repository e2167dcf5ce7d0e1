import { Kafka, logLevel, type Admin, type KafkaMessage, type Producer } from 'kafkajs';
import type { z } from 'zod';
import type { envelopeBase } from './envelope';

type Envelope = z.infer<typeof envelopeBase> & { payload: unknown };

/** The minimal logger shape we need, so this package does not depend on pino. */
export interface BusLogger {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  logger?: BusLogger;
}

const LEVEL: Record<number, keyof BusLogger> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function createKafka({ brokers, clientId, logger }: KafkaOptions): Kafka {
  return new Kafka({
    clientId,
    brokers,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator: () => ({ level, log }) => {
      const { message, ...rest } = log;
      logger?.[LEVEL[level] ?? 'info']({ module: 'kafkajs', ...rest }, message);
    },
  });
}

export const HEADER = { traceId: 'trace-id', type: 'type', idempotencyKey: 'idempotency-key' } as const;

export function encodeMessage(key: string, env: Envelope) {
  return {
    key,
    value: JSON.stringify(env),
    headers: { [HEADER.traceId]: env.trace_id, [HEADER.type]: env.type, [HEADER.idempotencyKey]: env.idempotency_key },
  };
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string; raw: string };

/** Parses a message against a topic's schema; a failure is a value (the caller parks it). */
export function decodeMessage<S extends z.ZodType>(schema: S, message: Pick<KafkaMessage, 'value'>): Decoded<z.infer<S>> {
  const raw = message.value?.toString('utf8') ?? '';
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'message is not JSON', raw };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), raw };
}

/** Idempotent producer, acks from all in-sync replicas: a send resolves only once it is durable. */
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
}

export async function publish(producer: Producer, topic: string, items: Array<{ key: string; envelope: Envelope }>) {
  if (items.length === 0) return;
  await producer.send({ topic, acks: -1, messages: items.map((i) => encodeMessage(i.key, i.envelope)) });
}

/** For /health/ready: the cluster answers within the health check's timeout. */
export async function pingKafka(admin: Admin): Promise<void> {
  await admin.describeCluster();
}
