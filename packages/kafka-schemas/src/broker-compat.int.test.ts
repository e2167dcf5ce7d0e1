/**
 * Proves that kafkajs 2.2.4 works against the broker version we run (docs/kafka.md): admin
 * creates topics, a producer writes with acks=all, a consumer group reads and commits, and a
 * second member joining triggers a rebalance that splits the partitions without re-reading
 * committed messages.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { createKafka, createProducer } from './bus';

const brokers = process.env.KAFKA_BROKERS!.split(',');
const kafka = createKafka({ brokers, clientId: 'compat-test' });
const until = async (cond: () => boolean, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('kafkajs 2.2.4 against the local broker', () => {
  const topic = `${process.env.KAFKA_TOPIC_PREFIX}compat.${randomUUID()}`;
  const groupId = `compat-${randomUUID()}`;
  const admin = kafka.admin();
  const producer = createProducer(kafka);
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    await admin.connect();
    await producer.connect();
  });
  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.disconnect()));
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('creates topics, produces with acks=all, consumes in a group, commits, and rebalances', async () => {
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true })).toBe(true);
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]!.partitions).toHaveLength(4);

    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    const sent = await producer.send({ topic, acks: -1, messages: keys.map((k) => ({ key: k, value: `v-${k}` })) });
    expect(sent.every((r) => r.errorCode === 0)).toBe(true);

    const seen: string[] = [];
    const assignments: Record<string, number[]> = {};
    const member = async (name: string) => {
      const c = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500, rebalanceTimeout: 10_000 });
      consumers.push(c);
      c.on(c.events.GROUP_JOIN, (e) => {
        assignments[name] = e.payload.memberAssignment[topic] ?? [];
      });
      await c.connect();
      await c.subscribe({ topic, fromBeginning: true });
      await c.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          seen.push(message.key!.toString());
          await c.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
        },
      });
      return c;
    };

    await member('a');
    await until(() => seen.length === 40);
    expect(new Set(seen)).toEqual(new Set(keys));
    expect(assignments.a).toHaveLength(4);

    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committed = offsets[0]!.partitions.reduce((n, p) => n + Number(p.offset), 0);
    expect(committed).toBe(40);

    await member('b');
    await until(() => assignments.b !== undefined && (assignments.a?.length ?? 0) + assignments.b.length === 4 && assignments.b.length > 0);
    expect([...(assignments.a ?? []), ...(assignments.b ?? [])].sort()).toEqual([0, 1, 2, 3]);

    // After the rebalance the group resumes from its commits: new messages arrive once, old ones are not re-read.
    await producer.send({ topic, acks: -1, messages: [{ key: 'after', value: 'x' }] });
    await until(() => seen.includes('after'));
    await new Promise((r) => setTimeout(r, 500));
    expect(seen).toHaveLength(41);
  }, 60_000);
});
