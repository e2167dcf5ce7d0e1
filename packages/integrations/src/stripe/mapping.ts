import type Stripe from 'stripe';
import type { CustomerFields, ExternalCustomer, PostalAddress, SyncedFieldName } from '../types';

const ADDRESS_PARTS = ['line1', 'line2', 'city', 'state', 'postal_code', 'country'] as const;

/** Stripe's address (parts null or '', or no address at all) → ours: parts null when empty, all empty → null. */
export function addressFromStripe(a: Partial<Record<(typeof ADDRESS_PARTS)[number], string | null>> | null | undefined): PostalAddress | null {
  if (!a) return null;
  const out = Object.fromEntries(ADDRESS_PARTS.map((k) => [k, a[k] ? a[k] : null])) as unknown as PostalAddress;
  return ADDRESS_PARTS.every((k) => out[k] === null) ? null : out;
}

/** Stripe customer → our neutral shape. Stripe allows nulls where we require values. */
export function fromStripe(c: Stripe.Customer | Stripe.DeletedCustomer): ExternalCustomer {
  if ('deleted' in c && c.deleted) {
    return { externalId: c.id, internalId: null, deleted: true, name: '', email: '', phone: null, address: null, createdTs: 0 };
  }
  const live = c as Stripe.Customer;
  const internal = Number(live.metadata?.internal_id);
  return {
    externalId: live.id,
    internalId: Number.isInteger(internal) && internal > 0 ? internal : null,
    deleted: false,
    name: live.name ?? '',
    email: (live.email ?? '').toLowerCase(),
    phone: live.phone ? live.phone : null,
    address: addressFromStripe(live.address),
    createdTs: live.created,
  };
}

type AddressParam = Stripe.AddressParam | '';

/**
 * Our fields → Stripe's create/update parameters. A field left out is not sent. On an update, a
 * null phone or address is sent as '' (Stripe's way of clearing a field); on a create, nothing
 * is there to clear, so it is left out.
 */
export function toStripeParams(fields: Partial<CustomerFields>, on: 'create' | 'update' = 'update'): { name?: string; email?: string; phone?: string; address?: AddressParam } {
  // A field left out of `fields` is not sent: an update of only what changed here leaves the rest as Stripe has it.
  const params: { name?: string; email?: string; phone?: string; address?: AddressParam } = {};
  if (fields.name !== undefined) params.name = fields.name;
  if (fields.email !== undefined) params.email = fields.email;
  if (fields.phone !== undefined && (fields.phone !== null || on === 'update')) params.phone = fields.phone ?? '';
  if (fields.address !== undefined && (fields.address !== null || on === 'update')) params.address = fields.address ? addressParam(fields.address) : '';
  return params;
}

/** Only the parts we hold: an empty part is sent as '' so that it is cleared there too. */
function addressParam(a: PostalAddress): Stripe.AddressParam {
  return Object.fromEntries(ADDRESS_PARTS.map((k) => [k, a[k] ?? ''])) as Stripe.AddressParam;
}

/** Stripe's attribute names of the fields we sync. */
const STRIPE_FIELDS: Record<string, SyncedFieldName> = { name: 'name', email: 'email', phone: 'phone', address: 'address' };

/**
 * Which of our fields a customer.updated changed: the keys of its previous_attributes (Stripe
 * lists there the old value of every attribute that changed). Attributes we do not sync are
 * ignored, so a change of only metadata names none.
 */
export function changedFieldsOf(event: Record<string, unknown>): SyncedFieldName[] | undefined {
  const previous = (event.data as { previous_attributes?: unknown } | undefined)?.previous_attributes;
  if (!previous || typeof previous !== 'object') return undefined;
  return [...new Set(Object.keys(previous).flatMap((k) => (STRIPE_FIELDS[k] ? [STRIPE_FIELDS[k]] : [])))];
}
