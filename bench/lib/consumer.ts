import { performance } from 'node:perf_hooks';
import { createKafka, customerEventMessage, decodeMessage, topicSpecs } from '@cs/kafka-schemas';

export interface Received {
  customerId: number;
  occurredAt: string;
  /** Date.now() when the batch reached us: the same clock the API stamps occurred_at with. */
  wallMs: number;
  /** performance.now() at the same moment, to compare with this process's own send/201 times. */
  perfMs: number;
}

export interface BenchConsumer {
  invalid: number;
  stop(): Promise<void>;
}

const quiet = { error: (o: object, m?: string) => process.stderr.write(`[kafkajs] ${m ?? ''} ${JSON.stringify(o)}\n`), warn() {}, info() {}, debug() {} };

/**
 * A consumer of its own (fresh group, from the end of the topic) that resolves only once it can
 * see every new message: joined, assigned all partitions, and one fetch done — kafkajs resolves
 * the "latest" offsets just before that first fetch, so anything produced later is not skipped.
 */
export async function startConsumer(brokers: string[], topic: string, onMessage: (r: Received) => void): Promise<BenchConsumer> {
  const kafka = createKafka({ brokers, clientId: 'bench-outbox', logger: quiet });
  const groupId = `bench-outbox-${process.pid}-${Date.now()}`;
  // Short fetch wait: only makes disconnect quicker; a fetch returns as soon as data arrives.
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500 });
  const partitions = topicSpecs.customerEvents.partitions;
  const state: BenchConsumer = { invalid: 0, stop: async () => undefined };

  let assigned = false;
  const ready = new Promise<void>((resolve) => {
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      assigned = (e.payload.memberAssignment[topic]?.length ?? 0) === partitions;
    });
    consumer.on(consumer.events.FETCH, () => {
      if (assigned) resolve();
    });
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const wallMs = Date.now();
      const perfMs = performance.now();
      for (const message of batch.messages) {
        const decoded = decodeMessage(customerEventMessage, message);
        if (!decoded.ok) state.invalid += 1;
        else onMessage({ customerId: decoded.value.payload.customer_id, occurredAt: decoded.value.occurred_at, wallMs, perfMs });
      }
    },
  });
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the consumer was not assigned within 30 s')), 30_000).unref());
  try {
    await Promise.race([ready, timeout]);
  } catch (err) {
    await consumer.disconnect();
    throw err;
  }

  state.stop = async () => {
    await consumer.disconnect();
    // Our groups are single-use: do not leave them behind on the broker.
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  };
  return state;
}
