import type Stripe from 'stripe';
import type { NeutralChange } from '../types';
import { changedFieldsOf, fromStripe } from './mapping';

/** The Stripe events the sync acts on, and the kind of change each is. */
export const HANDLED_EVENTS: Record<string, NeutralChange['kind']> = {
  'customer.created': 'created',
  'customer.updated': 'updated',
  'customer.deleted': 'deleted',
};

/**
 * A Stripe event (webhook or events API) as a neutral change: Stripe's shapes end here, in the
 * connector, before anything reaches Kafka. Null for events the sync does not act on.
 */
export function stripeEventToChange(event: Record<string, unknown>): NeutralChange | null {
  const kind = HANDLED_EVENTS[String(event.type)];
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
