import { readFileSync } from 'node:fs';
import { createKafka } from '@cs/kafka-schemas';
import { processes, type CpuGroups, type ProcInfo } from './cpu';

/**
 * Other checkouts (and tests) run brokers of their own on this machine: theirs count as "other", not
 * as our Kafka. Ours is the broker whose server.properties (the last argument of its command line)
 * listens on a port of `brokers`.
 */
export function ourKafkaOnly(groups: CpuGroups, brokers: string): CpuGroups {
  const ours = isOurKafka(brokers);
  return groups.map(([name, claims]) => [name, name === 'kafka' ? (p) => claims(p) && ours(p) : claims]);
}

/** The pid of the broker that listens on `brokers` (ourKafkaOnly's rule), if it runs on this machine. */
export function ourKafkaPid(brokers: string): number | undefined {
  return processes().find(isOurKafka(brokers))?.pid;
}

function isOurKafka(brokers: string): (p: ProcInfo) => boolean {
  const ports = brokers.split(',').map((b) => b.slice(b.lastIndexOf(':') + 1));
  const known = new Map<number, boolean>();
  return (p) => {
    let yes = known.get(p.pid);
    if (yes === undefined) {
      const file = /kafka\.Kafka\s+(\S+\.properties)/.exec(p.cmdline)?.[1];
      let text = '';
      try {
        text = file ? readFileSync(file, 'utf8') : '';
      } catch {
        // gone, or not readable: not ours to count
      }
      const listeners = /^listeners=(.*)$/m.exec(text)?.[1] ?? '';
      yes = ports.some((port) => listeners.split(',').some((l) => l.endsWith(`:${port}`)));
      known.set(p.pid, yes);
    }
    return yes;
  };
}

/** Deletes every topic under `topicRoot` (earlier runs' leftovers after a crash, or this run's at its end) and the consumer groups named. */
export async function dropKafkaLeftovers(brokers: string, topicRoot: string, clientId: string, groups: string[] = []): Promise<void> {
  const admin = createKafka({ brokers: brokers.split(','), clientId }).admin();
  await admin.connect();
  try {
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
    const stale = (await admin.listTopics()).filter((t) => t.startsWith(topicRoot));
    if (stale.length) await admin.deleteTopics({ topics: stale });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads a topic from its start to the end offsets it has now, with a group of its own, and hands
 * over every message with its Kafka timestamp (the producer's clock when it sent: Date.now()).
 */
export async function readTopic(brokers: string, topic: string, clientId: string, onMessage: (value: string, timestampMs: number) => void, timeoutMs = 30_000): Promise<void> {
  const kafka = createKafka({ brokers: brokers.split(','), clientId, logger: { error() {}, warn() {}, info() {}, debug() {} } });
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `${clientId}-read-${Date.now().toString(36)}`;
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
  const left = new Set([...ends].filter(([, high]) => high > 0).map(([p]) => p));
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
  try {
    if (left.size === 0) return;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading ${topic}: ${left.size} partitions not read to the end in ${timeoutMs} ms`)), timeoutMs);
      void consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            onMessage(message.value?.toString('utf8') ?? '', Number(message.timestamp));
            if (Number(message.offset) + 1 >= (ends.get(partition) ?? 0)) left.delete(partition);
            if (left.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
