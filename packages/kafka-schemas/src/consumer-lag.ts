import type { Admin } from 'kafkajs';

export interface PartitionLag {
  topic: string;
  partition: number;
  /** Messages the group has not committed yet. */
  lag: number;
}

/**
 * A consumer group's lag on one topic, per partition: the end of each partition minus the
 * group's committed offset. A partition the group never committed counts from the earliest
 * retained offset (our consumers start from the beginning); a committed offset below it
 * (retention removed the messages) counts from there too.
 */
export async function consumerLag(admin: Admin, groupId: string, topic: string): Promise<PartitionLag[]> {
  const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
  const done = new Map((committed.find((t) => t.topic === topic)?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  return ends.map(({ partition, high, low }) => {
    const earliest = BigInt(low);
    const at = done.get(partition) ?? -1n;
    const from = at < earliest ? earliest : at;
    const lag = BigInt(high) - from;
    return { topic, partition, lag: lag > 0n ? Number(lag) : 0 };
  });
}
