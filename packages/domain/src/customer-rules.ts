import { createHash } from 'node:crypto';
import { z } from 'zod';

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

export const customerFields = z.object({ name: customerName, email: customerEmail });
export type CustomerInput = z.infer<typeof customerFields>;

/** A stable fingerprint of the synced fields: equal hashes mean "nothing to send". */
export function stateHash(fields: { name: string; email: string; deleted?: boolean }): string {
  return createHash('sha256').update(JSON.stringify([fields.name, fields.email.toLowerCase(), Boolean(fields.deleted)])).digest('hex');
}
