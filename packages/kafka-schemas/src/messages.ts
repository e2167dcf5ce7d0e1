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

/**
 * invoice.events: one per committed change of an invoice (written by the outbox relay, keyed by
 * invoice id). A trigger, not a truth: the worker reads the invoice's current state; `status` is
 * the state as committed, for consumers that only route on it.
 */
export const invoiceChangePayload = z.object({
  invoice_id: z.number().int().positive(),
  customer_id: z.number().int().positive(),
  version: z.number().int().positive(),
  status: z.enum(['draft', 'open', 'paid', 'void', 'uncollectible']),
});
export const invoiceCreated = envelopeOf('invoice.created', invoiceChangePayload);
export const invoiceUpdated = envelopeOf('invoice.updated', invoiceChangePayload);
export const invoiceDeleted = envelopeOf('invoice.deleted', invoiceChangePayload);
export const invoiceFinalized = envelopeOf('invoice.finalized', invoiceChangePayload);
export const invoiceVoided = envelopeOf('invoice.voided', invoiceChangePayload);
export const invoiceMarkedUncollectible = envelopeOf('invoice.marked_uncollectible', invoiceChangePayload);

/** How a change reached us: a signed webhook, a change feed (Stripe: the events API), a backfill or reconcile, a replay. */
export const via = z.enum(['webhook', 'events_api', 'stream', 'backfill', 'replay']);

/**
 * sync.inbound: a change an external system made, already in our terms — the connector that
 * received it (the gateway's verifier, a catch-up, a backfill, a reconcile) turned it into the
 * neutral change, so the inbound worker never decodes a provider's format. The source's event id
 * and type are kept: the event id dedupes (a webhook and its events-API copy apply once), the
 * type is for the audit trail.
 */
export const externalChangePayload = z.object({
  system: z.string().min(1),
  /** Which of our catalogs it concerns: customer (invoice next). */
  entity_type: z.string().min(1),
  /** The type of record it is there (Stripe: customer; Salesforce: Account). */
  object_type: z.string().min(1),
  external_id: z.string().min(1),
  kind: z.enum(['created', 'updated', 'deleted']),
  event_id: z.string().min(1),
  event_type: z.string().min(1),
  /** Seconds since the epoch: the source's timestamp of the change (Stripe: event.created). */
  source_ts: z.number().int().nonnegative(),
  received_at: z.iso.datetime({ offset: true }),
  via,
  /** The record after the change, in the catalog's neutral fields (null: a delete without state). */
  state: z.record(z.string(), z.unknown()).nullable(),
  /** The fields the source says changed (Stripe: previous_attributes); absent when it does not say. */
  changed_fields: z.array(z.string()).optional(),
  /** `state` holds only the changed fields (a Salesforce CDC UPDATE): the others are unknown, not cleared. */
  partial: z.boolean().optional(),
});
export const externalChange = envelopeOf('external.change', externalChangePayload);

/**
 * sync.inbound before the neutral change (kept so that messages already on the topic, and dead
 * letters parked before the upgrade, still apply): a verified event as the source sent it.
 */
export const externalEventPayload = z.object({
  system: z.string().min(1),
  event_id: z.string().min(1),
  event_type: z.string().min(1),
  object_id: z.string().min(1),
  /** Seconds since the epoch, as the source stamps its events. */
  source_created: z.number().int().nonnegative(),
  received_at: z.iso.datetime({ offset: true }),
  /** How it reached us: a signed webhook, the events API catch-up, a backfill or a replay. */
  via,
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

export const invoiceEventMessage = z.discriminatedUnion('type', [invoiceCreated, invoiceUpdated, invoiceDeleted, invoiceFinalized, invoiceVoided, invoiceMarkedUncollectible]);
export type InvoiceEventMessage = z.infer<typeof invoiceEventMessage>;
export type InvoiceChangeType = InvoiceEventMessage['type'];

export const inboundMessage = z.discriminatedUnion('type', [externalChange, externalEvent]);
export type InboundMessage = z.infer<typeof inboundMessage>;

export const dlqMessage = z.discriminatedUnion('type', [deadLetter]);
export type DlqMessage = z.infer<typeof dlqMessage>;

/** Every message, by topic key: what a consumer of that topic must accept. */
export const messagesByTopic = {
  customerEvents: customerEventMessage,
  invoiceEvents: invoiceEventMessage,
  syncInbound: inboundMessage,
  syncDlq: dlqMessage,
} as const;

export type ExternalChangePayload = z.infer<typeof externalChangePayload>;
export type ExternalEventPayload = z.infer<typeof externalEventPayload>;

export interface ExternalChangeInput {
  system: string;
  entityType: string;
  objectType: string;
  externalId: string;
  kind: ExternalChangePayload['kind'];
  eventId: string;
  eventType: string;
  /** The source's timestamp of the change, in seconds. */
  sourceTs: number;
  state: Record<string, unknown> | null;
  changedFields?: string[] | undefined;
  partial?: boolean | undefined;
  via: ExternalChangePayload['via'];
  traceId?: string | undefined;
}

/** The sync.inbound envelope for one external change, however it reached us. Key it by externalId. */
export function externalChangeEnvelope(input: ExternalChangeInput) {
  return envelope({
    type: 'external.change' as const,
    // The same change from a webhook and from the events API dedupes to one.
    idempotency_key: `${input.system}:${input.eventId}`,
    origin: input.system as Origin,
    ...(input.traceId ? { trace_id: input.traceId } : {}),
    payload: {
      system: input.system,
      entity_type: input.entityType,
      object_type: input.objectType,
      external_id: input.externalId,
      kind: input.kind,
      event_id: input.eventId,
      event_type: input.eventType,
      source_ts: input.sourceTs,
      received_at: new Date().toISOString(),
      via: input.via,
      state: input.state,
      ...(input.changedFields ? { changed_fields: input.changedFields } : {}),
      ...(input.partial ? { partial: true } : {}),
    },
  });
}
