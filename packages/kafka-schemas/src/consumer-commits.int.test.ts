import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { createKafka, createProducer } from './bus';
import { ReliableConsumer } from './consumer';

const kafka = createKafka({ brokers: process.env.KAFKA_BROKERS!.split(','), clientId: 'consumer-commits-test' });
const silent = { error() {}, warn() {}, info() {}, debug() {} };
const schema = z.object({ n: z.number() });

describe('ReliableConsumer with commitIntervalMs', () => {
  const admin = kafka.admin();
  const producer = createProducer(kafka);
  const topic = `${process.env.KAFKA_TOPIC_PREFIX}consumer-commits.${randomUUID()}`;

  beforeAll(async () => {
    await Promise.all([admin.connect(), producer.connect()]);
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  });
  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  });

  const send = (from: number, count: number) =>
    producer.send({ topic, acks: -1, messages: Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, value: JSON.stringify({ n: from + i }) })) });
  const committed = async (groupId: string) => Number((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions[0]!.offset);
  const until = async (done: () => boolean) => {
    for (const end = Date.now() + 20_000; !done() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 25));
    expect(done()).toBe(true);
  };

  function consumer(groupId: string, handled: number[]) {
    return new ReliableConsumer({
      kafka,
      groupId,
      topic,
      schema,
      logger: silent,
      concurrency: 4,
      retry: { maxAttempts: 1, baseMs: 1, maxMs: 1 },
      handle: async (message) => void handled.push(message.n),
      classify: () => ({ retryable: false, code: 'x', message: 'x' }),
      park: async () => undefined,
      commitIntervalMs: 60_000,
    });
  }

  it('commits the first batch at once, holds later ones for the interval, and commits them when it stops', async () => {
    const groupId = `consumer-commits-${randomUUID()}`;
    const handled: number[] = [];
    const first = consumer(groupId, handled);
    await send(0, 5);
    await first.start();
    await until(() => handled.length === 5);
    // The commit follows the batch's last handler; give it its round trip.
    for (const end = Date.now() + 10_000; (await committed(groupId)) !== 5 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 50));
    expect(await committed(groupId)).toBe(5);

    await send(5, 5);
    await until(() => handled.length === 10);
    // Handled, but inside the interval: not committed yet (a crash now re-delivers these five).
    await new Promise((r) => setTimeout(r, 300));
    expect(await committed(groupId)).toBe(5);

    await first.stop();
    expect(await committed(groupId)).toBe(10);

    // The next member of the group starts after them: nothing handled twice, nothing skipped.
    const again: number[] = [];
    const second = consumer(groupId, again);
    await send(10, 2);
    await second.start();
    await until(() => again.length === 2);
    await second.stop();
    expect(again.sort((a, b) => a - b)).toEqual([10, 11]);
    expect(handled.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
