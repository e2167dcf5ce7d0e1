import type { Producer } from 'kafkajs';
import type { ExternalCustomer, Integration } from '@cs/integrations';
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

/**
 * An event the external system did not send but would have (a record found by listing): built by
 * the integration in the system's own shape, so the inbound worker applies it like a webhook.
 */
export function syntheticInboundEvent(
  integration: Integration,
  kind: 'created' | 'deleted',
  customer: ExternalCustomer,
  eventId: string,
  created: number,
  traceId?: string,
): ExternalEventInput {
  return {
    system: integration.system,
    eventId,
    eventType: `customer.${kind}`,
    objectId: customer.externalId,
    created,
    event: integration.syntheticEvent(kind, customer, eventId, created),
    via: 'backfill',
    ...(traceId ? { traceId } : {}),
  };
}
