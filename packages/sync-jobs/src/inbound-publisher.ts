import type { Producer } from 'kafkajs';
import { externalEventEnvelope, publish, type ExternalEventInput } from '@cs/kafka-schemas';

/** Feeds events into sync.inbound, the same path webhooks take (so dedupe covers overlaps). */
export type InboundFeed = (events: ExternalEventInput[]) => Promise<void>;

export function kafkaInboundFeed(producer: Producer, topic: string): InboundFeed {
  return async (events) => {
    for (let i = 0; i < events.length; i += 500) {
      await publish(
        producer,
        topic,
        events.slice(i, i + 500).map((e) => ({ key: e.objectId, envelope: externalEventEnvelope(e) })),
      );
    }
  };
}
