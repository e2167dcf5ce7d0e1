import { randomUUID } from 'node:crypto';
import type { Consumer, KafkaMessage } from 'kafkajs';
import { createKafka } from '@cs/kafka-schemas';

export interface Collected {
  key: string;
  value: Record<string, unknown>;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

/**
 * A throwaway consumer group reading a topic from its beginning and keeping the messages that pass
 * `filter` (topics are shared by the tests of one jest worker: filter on something unique to the test).
 */
export async function collect(topic: string, filter: (m: Collected) => boolean, opts: { brokers?: string } = {}) {
  const kafka = createKafka({ brokers: (opts.brokers ?? process.env.KAFKA_BROKERS!).split(','), clientId: 'test-collector' });
  const consumer: Consumer = kafka.consumer({ groupId: `test-${randomUUID()}`, sessionTimeout: 10_000, heartbeatInterval: 500 });
  const messages: Collected[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }: { partition: number; message: KafkaMessage }) => {
      const item: Collected = {
        key: message.key?.toString() ?? '',
        value: JSON.parse(message.value!.toString()),
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        partition,
        offset: message.offset,
      };
      if (filter(item)) messages.push(item);
    },
  });
  return {
    messages,
    async waitFor(count: number, timeoutMs = 20_000) {
      const end = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > end) throw new Error(`expected ${count} messages on ${topic}, got ${messages.length}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return messages;
    },
    stop: () => consumer.disconnect(),
  };
}
