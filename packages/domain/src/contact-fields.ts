import { z } from 'zod';
import { COUNTRY_CODES } from './countries';

/** Blank after trimming means "none": an empty string is never stored. */
const blankToNull = (s: string | null | undefined) => (s === undefined ? undefined : s === null || s === '' ? null : s);

const PHONE_CHARS = /^[0-9 +\-().]*$/;

/**
 * At most 20 characters: the shortest limit of the systems we sync (Stripe's customer phone; a
 * Salesforce Phone takes 40). A longer one accepted here could never reach Stripe.
 */
export const PHONE_MAX = 20;

export const customerPhone = z
  .string({ error: 'phone must be a string or null' })
  .trim()
  .max(PHONE_MAX, `phone must be at most ${PHONE_MAX} characters`)
  .regex(PHONE_CHARS, 'phone may hold only digits, spaces and + - ( ) .')
  // Only for a phone of allowed characters: "call me" is one problem, not two.
  .refine((p) => p === '' || !PHONE_CHARS.test(p) || /[0-9]/.test(p), 'phone must contain at least one digit')
  .nullable()
  .transform(blankToNull);

const part = (name: string, max: number) =>
  z
    .string({ error: `address.${name} must be a string or null` })
    .trim()
    .max(max, `address.${name} must be at most ${max} characters`)
    .nullable()
    .optional()
    .transform((s) => blankToNull(s) ?? null);

const country = z
  .string({ error: 'address.country must be a string or null' })
  .trim()
  .transform((c) => c.toUpperCase())
  .refine((c) => c === '' || COUNTRY_CODES.has(c), 'address.country must be an ISO 3166-1 alpha-2 country code')
  .nullable()
  .optional()
  .transform((s) => blankToNull(s) ?? null)
  // The input side for the OpenAPI document: two letters (the list itself is checked above).
  .meta({ pattern: '^\\s*[A-Za-z]{2}\\s*$' });

export const ADDRESS_PARTS = ['line1', 'line2', 'city', 'state', 'postal_code', 'country'] as const;
export type AddressPart = (typeof ADDRESS_PARTS)[number];
export type Address = Record<AddressPart, string | null>;

/** Every part is present (null when empty), so two equal addresses are equal objects; all empty → null. */
export const customerAddress = z
  .strictObject(
    {
      line1: part('line1', 200),
      line2: part('line2', 200),
      city: part('city', 200),
      state: part('state', 200),
      postal_code: part('postal_code', 20),
      country,
    },
    { error: 'address must be an object or null' },
  )
  .nullable()
  .transform((a): Address | null => (a === null || ADDRESS_PARTS.every((k) => a[k] === null) ? null : a));

/** The canonical form of a stored or received address: all parts in one order, empties null. */
export function normalAddress(a: Partial<Record<AddressPart, string | null | undefined>> | null | undefined): Address | null {
  if (!a) return null;
  const out = Object.fromEntries(ADDRESS_PARTS.map((k) => [k, a[k] === undefined || a[k] === '' ? null : a[k]])) as Address;
  return ADDRESS_PARTS.every((k) => out[k] === null) ? null : out;
}

export function sameAddress(a: Address | null | undefined, b: Address | null | undefined): boolean {
  const x = normalAddress(a);
  const y = normalAddress(b);
  return x === null || y === null ? x === y : ADDRESS_PARTS.every((k) => x[k] === y[k]);
}
