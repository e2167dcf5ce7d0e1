import type { Producer } from 'kafkajs';
import { externalChangeEnvelope, publish, type ExternalChangeInput } from '@cs/kafka-schemas';

/** Feeds neutral changes into sync.inbound, the path webhooks take (so dedupe covers overlaps). */
export type InboundFeed = (changes: ExternalChangeInput[]) => Promise<void>;

export function kafkaInboundFeed(producer: Producer, topic: string): InboundFeed {
  return async (changes) => {
    for (let i = 0; i < changes.length; i += 500) {
      await publish(
        producer,
        topic,
        changes.slice(i, i + 500).map((c) => ({ key: c.externalId, envelope: externalChangeEnvelope(c) })),
      );
    }
  };
}
