import { z } from 'zod';
import { envelope, envelopeOf, type Origin } from './envelope';

/** customer.events: one per committed change in our catalog (written by the outbox relay). */
export const customerChangePayload = z.object({
  customer_id: z.number().int().positive(),
  version: z.number().int().nonnegative(),
  /** The state as committed; workers treat it as a hint and read the current state. */
  snapshot: z
    .object({
      name: z.string(),
      email: z.string(),
      // Optional: rows written before phone and address existed carry neither.
      phone: z.string().nullable().optional(),
      address: z.record(z.string(), z.string().nullable()).nullable().optional(),
      deleted: z.boolean(),
    })
    .optional(),
});
export const customerCreated = envelopeOf('customer.created', customerChangePayload);
export const customerUpdated = envelopeOf('customer.updated', customerChangePayload);
export const customerDeleted = envelopeOf('customer.deleted', customerChangePayload);

/** sync.inbound: a verified event from an external system, as received. */
export const externalEventPayload = z.object({
  system: z.string().min(1),
  event_id: z.string().min(1),
  event_type: z.string().min(1),
  object_id: z.string().min(1),
  /** Seconds since the epoch, as the source stamps its events. */
  source_created: z.number().int().nonnegative(),
  received_at: z.iso.datetime({ offset: true }),
  /** How it reached us: a signed webhook, the events API catch-up, a backfill or a replay. */
  via: z.enum(['webhook', 'events_api', 'backfill', 'replay']),
  event: z.record(z.string(), z.unknown()),
});
export const externalEvent = envelopeOf('external.event', externalEventPayload);

/** sync.dlq: a message we gave up on, with why and how often we tried. */
export const deadLetterPayload = z.object({
  source_topic: z.string(),
  system: z.string().nullable(),
  reason: z.string(),
  error_code: z.string().nullable(),
  attempts: z.number().int().nonnegative(),
  /** The envelope we gave up on, or `{ raw }` when it was not even a valid message. */
  original: z.unknown(),
});
export const deadLetter = envelopeOf('dead_letter', deadLetterPayload);

export const customerEventMessage = z.discriminatedUnion('type', [customerCreated, customerUpdated, customerDeleted]);
export type CustomerEventMessage = z.infer<typeof customerEventMessage>;
export type CustomerChangeType = CustomerEventMessage['type'];

export const inboundMessage = z.discriminatedUnion('type', [externalEvent]);
export type InboundMessage = z.infer<typeof inboundMessage>;

export const dlqMessage = z.discriminatedUnion('type', [deadLetter]);
export type DlqMessage = z.infer<typeof dlqMessage>;

/** Every message, by topic key: what a consumer of that topic must accept. */
export const messagesByTopic = {
  customerEvents: customerEventMessage,
  syncInbound: inboundMessage,
  syncDlq: dlqMessage,
} as const;

export interface ExternalEventInput {
  system: string;
  eventId: string;
  eventType: string;
  objectId: string;
  /** The source's timestamp of the event, in seconds. */
  created: number;
  event: Record<string, unknown>;
  via: ExternalEventPayload['via'];
  traceId?: string | undefined;
}
export type ExternalEventPayload = z.infer<typeof externalEventPayload>;

/** The sync.inbound envelope for one external event, however it reached us. Key it by objectId. */
export function externalEventEnvelope(input: ExternalEventInput) {
  return envelope({
    type: 'external.event' as const,
    // The same event from a webhook and from the events API dedupes to one.
    idempotency_key: `${input.system}:${input.eventId}`,
    origin: input.system as Origin,
    ...(input.traceId ? { trace_id: input.traceId } : {}),
    payload: {
      system: input.system,
      event_id: input.eventId,
      event_type: input.eventType,
      object_id: input.objectId,
      source_created: input.created,
      received_at: new Date().toISOString(),
      via: input.via,
      event: input.event,
    },
  });
}
