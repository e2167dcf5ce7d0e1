import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { BatchingPublisher } from './batching-publisher';
import { createKafka } from './bus';
import { externalChangeEnvelope } from './messages';

const kafka = createKafka({ brokers: process.env.KAFKA_BROKERS!.split(','), clientId: 'publisher-test' });

const envelope = (externalId: string) =>
  externalChangeEnvelope({
    system: 'stripe',
    entityType: 'customer',
    objectType: 'customer',
    externalId,
    kind: 'updated',
    eventId: `evt_${externalId}`,
    eventType: 'customer.updated',
    sourceTs: 1_700_000_000,
    state: { name: `Publisher ${externalId}` },
    via: 'webhook',
  });

/** The real producer, with every produce request's size written down. */
function counted(producer: Producer): { producer: Pick<Producer, 'send'>; sizes: number[] } {
  const sizes: number[] = [];
  return {
    sizes,
    producer: {
      send: (record) => {
        sizes.push(record.messages.length);
        return producer.send(record);
      },
    },
  };
}

describe('BatchingPublisher (real Kafka, acks=all)', () => {
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
  const created: string[] = [];

  beforeAll(() => Promise.all([admin.connect(), producer.connect()]));
  afterAll(async () => {
    await admin.deleteTopics({ topics: created }).catch(() => undefined);
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  });

  async function freshTopic(): Promise<string> {
    const topic = `${process.env.KAFKA_TOPIC_PREFIX}publisher.${randomUUID()}`;
    created.push(topic);
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    return topic;
  }

  const storedCount = async (topic: string) => (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
  const ids = (n: number) => Array.from({ length: n }, () => `cus_${randomUUID().slice(0, 12)}`);

  it('sends concurrent messages in one produce request when they arrive within the linger, and each promise resolves once stored', async () => {
    const topic = await freshTopic();
    const { producer: send, sizes } = counted(producer);
    const publisher = new BatchingPublisher(send, topic, { lingerMs: 50 });
    await Promise.all(ids(20).map((id) => publisher.publish(id, envelope(id))));
    expect(sizes).toEqual([20]);
    expect(await storedCount(topic)).toBe(20);
  });

  it('without a linger, sends the first message at once and those that queue behind it together in the next request', async () => {
    const topic = await freshTopic();
    const { producer: send, sizes } = counted(producer);
    const publisher = new BatchingPublisher(send, topic);
    await Promise.all(ids(11).map((id) => publisher.publish(id, envelope(id))));
    expect(sizes).toEqual([1, 10]);
    expect(await storedCount(topic)).toBe(11);
  });

  it('sends as soon as maxBatch messages are waiting, without waiting out the linger', async () => {
    const topic = await freshTopic();
    const { producer: send, sizes } = counted(producer);
    const publisher = new BatchingPublisher(send, topic, { lingerMs: 50, maxBatch: 10 });
    await Promise.all(ids(25).map((id) => publisher.publish(id, envelope(id))));
    expect(sizes).toEqual([10, 10, 5]);
    expect(await storedCount(topic)).toBe(25);
  });

  it('rejects every message of a batch whose produce request fails: none is reported stored', async () => {
    const missing = `${process.env.KAFKA_TOPIC_PREFIX}publisher.missing.${randomUUID()}`;
    const { producer: send, sizes } = counted(producer);
    const publisher = new BatchingPublisher(send, missing, { lingerMs: 50 });
    const outcomes = await Promise.allSettled(ids(10).map((id) => publisher.publish(id, envelope(id))));
    expect(sizes).toEqual([10]);
    expect(outcomes.map((o) => o.status)).toEqual(Array(10).fill('rejected'));
    expect((await admin.listTopics()).includes(missing)).toBe(false);
  });
});
