import type Stripe from 'stripe';
import type { NeutralChange } from '../types';
import { invoiceFromStripe, lineFromStripe } from './invoice-mapping';
import { changedFieldsOf, fromStripe } from './mapping';

/** The Stripe events the sync acts on, and the kind of change each is. */
export const HANDLED_EVENTS: Record<string, NeutralChange['kind']> = {
  'customer.created': 'created',
  'customer.updated': 'updated',
  'customer.deleted': 'deleted',
  // Every invoice event carries the invoice after it: each is an update of its state (status,
  // number, URLs, amounts), the lifecycle guard decides what it may change.
  'invoice.created': 'created',
  'invoice.updated': 'updated',
  'invoice.finalized': 'updated',
  'invoice.sent': 'updated',
  'invoice.paid': 'updated',
  'invoice.payment_succeeded': 'updated',
  'invoice.payment_failed': 'updated',
  'invoice.voided': 'updated',
  'invoice.marked_uncollectible': 'updated',
  'invoice.deleted': 'deleted',
};

/**
 * A Stripe event (webhook or events API) as a neutral change: Stripe's shapes end here, in the
 * connector, before anything reaches Kafka. Null for events the sync does not act on.
 */
export function stripeEventToChange(event: Record<string, unknown>): NeutralChange | null {
  const kind = HANDLED_EVENTS[String(event.type)];
  if (kind && String(event.type).startsWith('invoice.')) return invoiceChange(event, kind);
  const object = (event.data as { object?: Stripe.Customer } | undefined)?.object;
  if (!kind || !object || object.object !== 'customer' || typeof object.id !== 'string') return null;
  const customer = fromStripe(kind === 'deleted' ? ({ ...object, deleted: undefined } as Stripe.Customer) : object);
  return {
    action: kind === 'deleted' ? 'delete' : 'upsert',
    kind,
    entityType: 'customer',
    objectType: 'customer',
    externalId: object.id,
    eventId: String(event.id),
    eventType: String(event.type),
    sourceTs: Number(event.created),
    customer,
    // Only an update names what it changed; a create or delete says nothing about fields.
    ...(kind === 'updated' ? { changedFields: changedFieldsOf(event) } : {}),
  };
}

/**
 * An invoice event. Its lines are those the event embeds (the first page): a record with more is
 * read whole by the apply when it needs them (an import), through the adapter's get.
 */
function invoiceChange(event: Record<string, unknown>, kind: NeutralChange['kind']): NeutralChange | null {
  const object = (event.data as { object?: Stripe.Invoice } | undefined)?.object;
  if (!object || object.object !== 'invoice' || typeof object.id !== 'string') return null;
  const lines = object.lines?.data?.map(lineFromStripe) ?? [];
  const invoice = invoiceFromStripe(kind === 'deleted' ? ({ ...object, deleted: undefined } as Stripe.Invoice) : object, lines);
  return {
    action: kind === 'deleted' ? 'delete' : 'upsert',
    kind,
    entityType: 'invoice',
    objectType: 'invoice',
    externalId: object.id,
    eventId: String(event.id),
    eventType: String(event.type),
    sourceTs: Number(event.created),
    customer: null,
    invoice: { ...invoice, ...(object.lines?.has_more ? { linesIncomplete: true } : {}) },
  };
}
