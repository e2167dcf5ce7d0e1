import { randomUUID } from 'node:crypto';
import { createKafka, createProducer } from './bus';
import { consumerLag } from './consumer-lag';

const kafka = createKafka({ brokers: process.env.KAFKA_BROKERS!.split(','), clientId: 'lag-test' });

describe('consumerLag', () => {
  const topic = `${process.env.KAFKA_TOPIC_PREFIX}lag.${randomUUID()}`;
  const groupId = `lag-${randomUUID()}`;
  const admin = kafka.admin();
  const producer = createProducer(kafka);

  beforeAll(async () => {
    await Promise.all([admin.connect(), producer.connect()]);
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  });
  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  });

  it('counts every message for a group that committed nothing, and what is left after a commit', async () => {
    await producer.send({ topic, acks: -1, messages: [0, 0, 0, 1].map((partition, i) => ({ partition, key: `k${i}`, value: 'x' })) });
    const before = await consumerLag(admin, groupId, topic);
    expect(before.sort((a, b) => a.partition - b.partition)).toEqual([
      { topic, partition: 0, lag: 3 },
      { topic, partition: 1, lag: 1 },
    ]);

    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '2' }] });
    const after = await consumerLag(admin, groupId, topic);
    expect(after.find((p) => p.partition === 0)?.lag).toBe(1);
    expect(after.find((p) => p.partition === 1)?.lag).toBe(1);
  });
});
