import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ADDRESS_PARTS, customerAddress, customerPhone, normalAddress, sameAddress, type Address } from './contact-fields';

/**
 * What a valid customer is, wherever a change comes from (API, Stripe, a backfill).
 * Names are trimmed and 1–255 characters; emails are trimmed, lower-cased, at most 255.
 */
export const customerName = z
  .string({ error: 'name must be a string' })
  .trim()
  .min(1, 'name must not be blank')
  .max(255, 'name must be at most 255 characters');

export const customerEmail = z
  .string({ error: 'email must be a string' })
  .trim()
  .max(255, 'email must be at most 255 characters')
  .pipe(z.email({ error: 'email is not a valid address' }))
  .transform((e) => e.toLowerCase());

export const customerFields = z.object({
  name: customerName,
  email: customerEmail,
  phone: customerPhone.optional().transform((p) => p ?? null),
  address: customerAddress.optional().transform((a) => a ?? null),
});
export type CustomerInput = z.infer<typeof customerFields>;

/** The fields we sync, by the names sources' changedFields use. */
export const SYNCED_FIELDS = ['name', 'email', 'phone', 'address'] as const;
export type SyncedField = (typeof SYNCED_FIELDS)[number];

/** A customer as every system holds it: what is hashed, compared and merged. */
export interface SyncedState {
  name: string;
  email: string;
  phone: string | null;
  address: Address | null;
}

export function sameField(field: SyncedField, a: SyncedState, b: SyncedState): boolean {
  return field === 'address' ? sameAddress(a.address, b.address) : (a[field] ?? null) === (b[field] ?? null);
}

export function sameState(a: SyncedState, b: SyncedState): boolean {
  return SYNCED_FIELDS.every((f) => sameField(f, a, b));
}

/** The synced fields of any customer-like row, canonical (address parts in one order). */
export function syncedState(c: { name: string; email: string; phone?: string | null; address?: Partial<Address> | null }): SyncedState {
  return { name: c.name, email: c.email, phone: c.phone ?? null, address: normalAddress(c.address) };
}

/**
 * A stable fingerprint of the synced fields: equal hashes mean "nothing to send". A customer
 * without phone and address hashes as it did before those fields existed, so upgrading does not
 * make every mapping look changed (and re-push every customer).
 */
export function stateHash(fields: { name: string; email: string; phone?: string | null; address?: Partial<Address> | null; deleted?: boolean }): string {
  const base: unknown[] = [fields.name, fields.email.toLowerCase(), Boolean(fields.deleted)];
  const address = normalAddress(fields.address);
  const phone = fields.phone ?? null;
  if (phone !== null || address !== null) base.push(phone, address && ADDRESS_PARTS.map((k) => address[k]));
  return createHash('sha256').update(JSON.stringify(base)).digest('hex');
}
