import type Stripe from 'stripe';
import type { CustomerFields, ExternalCustomer } from '../types';

/** Stripe customer → our neutral shape. Stripe allows nulls where we require values. */
export function fromStripe(c: Stripe.Customer | Stripe.DeletedCustomer): ExternalCustomer {
  if ('deleted' in c && c.deleted) {
    return { externalId: c.id, internalId: null, deleted: true, name: '', email: '', createdTs: 0 };
  }
  const live = c as Stripe.Customer;
  const internal = Number(live.metadata?.internal_id);
  return {
    externalId: live.id,
    internalId: Number.isInteger(internal) && internal > 0 ? internal : null,
    deleted: false,
    name: live.name ?? '',
    email: (live.email ?? '').toLowerCase(),
    createdTs: live.created,
  };
}

export function toStripeParams(fields: CustomerFields): { name: string; email: string } {
  return { name: fields.name, email: fields.email };
}
