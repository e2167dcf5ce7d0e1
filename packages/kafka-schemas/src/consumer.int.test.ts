import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { createKafka, createProducer } from './bus';
import { ReliableConsumer } from './consumer';

const kafka = createKafka({ brokers: process.env.KAFKA_BROKERS!.split(','), clientId: 'consumer-test' });
const silent = { error() {}, warn() {}, info() {}, debug() {} };
const schema = z.object({ n: z.number(), slow: z.boolean().optional() });
type Msg = z.infer<typeof schema>;

/** key → messages in the order sent; `slow` ones the fast path leaves to the one-by-one path. */
const SENT: Array<[string, Msg | string]> = [
  ['a', { n: 1 }],
  ['b', { n: 1 }],
  ['a', { n: 2, slow: true }],
  ['c', 'not json'],
  ['a', { n: 3 }],
  ['b', { n: 2 }],
  ['c', { n: 2 }],
  ['d', { n: 1, slow: true }],
  ['b', { n: 3 }],
  ['d', { n: 2 }],
];

describe('ReliableConsumer fast path (handleBatch)', () => {
  const admin = kafka.admin();
  const producer = createProducer(kafka);
  const topics: string[] = [];

  beforeAll(() => Promise.all([admin.connect(), producer.connect()]));
  afterAll(async () => {
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  });

  /** Sends SENT to a fresh one-partition topic (one batch), consumes it, returns what ran where. */
  async function consume(handleBatch: (items: Array<{ message: Msg }>) => Promise<ReadonlySet<number>>) {
    const topic = `${process.env.KAFKA_TOPIC_PREFIX}consumer.${randomUUID()}`;
    topics.push(topic);
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await producer.send({ topic, acks: -1, messages: SENT.map(([key, v]) => ({ key, value: typeof v === 'string' ? v : JSON.stringify(v) })) });
    const applied: Array<{ key: string; n: number; via: 'batch' | 'one' }> = [];
    const waves: string[][] = [];
    const parked: string[] = [];
    const consumer = new ReliableConsumer({
      kafka,
      groupId: `consumer-test-${randomUUID()}`,
      topic,
      schema,
      logger: silent,
      concurrency: 4,
      retry: { maxAttempts: 1, baseMs: 1, maxMs: 1 },
      handle: async (message, ctx) => void applied.push({ key: ctx.key, n: message.n, via: 'one' }),
      handleBatch: async (items) => {
        waves.push(items.map((i) => i.ctx.key));
        const done = await handleBatch(items);
        for (const i of done) applied.push({ key: items[i]!.ctx.key, n: items[i]!.message.n, via: 'batch' });
        return done;
      },
      classify: () => ({ retryable: false, code: 'x', message: 'x' }),
      park: async (req) => void parked.push(`${req.key}:${req.code}`),
    });
    await consumer.start();
    const end = Date.now() + 20_000;
    while (applied.length + parked.length < SENT.length && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
    await consumer.stop();
    return { applied, waves, parked };
  }

  const byKey = (applied: Array<{ key: string; n: number }>) =>
    Object.fromEntries(['a', 'b', 'c', 'd'].map((k) => [k, applied.filter((x) => x.key === k).map((x) => x.n)]));

  it('sends one message per key per wave, and a key it leaves goes on one by one, in order', async () => {
    const { applied, waves, parked } = await consume(async (items) => new Set(items.flatMap((item, i) => (item.message.slow ? [] : [i]))));
    expect(byKey(applied)).toEqual({ a: [1, 2, 3], b: [1, 2, 3], c: [2], d: [1, 2] });
    expect(parked).toEqual(['c:invalid_message']);
    for (const wave of waves) expect(new Set(wave).size).toBe(wave.length);
    // a: 1 in the first wave, then 2 (slow) is left, so 2 and 3 run one by one. b: three waves.
    // c: its first message does not decode, so c never enters a wave. d: 1 is left at once.
    expect(waves).toEqual([['a', 'b', 'd'], ['a', 'b'], ['b']]);
    expect(applied.filter((x) => x.via === 'one').map((x) => `${x.key}${x.n}`).sort()).toEqual(['a2', 'a3', 'c2', 'd1', 'd2']);
  });

  it('applies everything one by one when the fast path throws', async () => {
    const { applied, waves } = await consume(async () => {
      throw new Error('database away');
    });
    expect(byKey(applied)).toEqual({ a: [1, 2, 3], b: [1, 2, 3], c: [2], d: [1, 2] });
    expect(applied.every((x) => x.via === 'one')).toBe(true);
    expect(waves).toHaveLength(1);
  });
});
