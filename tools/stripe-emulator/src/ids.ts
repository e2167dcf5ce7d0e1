import { randomBytes } from 'node:crypto';

// Stripe ids use a base62 alphabet. Random bytes are drawn from a pooled buffer because
// calling randomBytes() once per id is the dominant cost when seeding 100k customers.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const POOL_SIZE = 16 * 1024;

let pool = randomBytes(POOL_SIZE);
let cursor = 0;

function nextByte(): number {
  if (cursor >= pool.length) {
    pool = randomBytes(POOL_SIZE);
    cursor = 0;
  }
  return pool.readUInt8(cursor++);
}

/** `length` uniformly random base62 characters (bytes ≥ 248 are rejected to avoid modulo bias). */
export function randomAlphanumeric(length: number): string {
  let out = '';
  while (out.length < length) {
    const byte = nextByte();
    if (byte < 248) out += ALPHABET.charAt(byte % 62);
  }
  return out;
}

export const newCustomerId = (): string => `cus_${randomAlphanumeric(14)}`;
export const newEventId = (): string => `evt_${randomAlphanumeric(24)}`;
export const newRequestId = (): string => `req_${randomAlphanumeric(14)}`;
export const newEndpointId = (): string => `we_${randomAlphanumeric(24)}`;
export const newWebhookSecret = (): string => `whsec_${randomAlphanumeric(32)}`;

/** Stripe invoice prefixes are 8 upper-case hex-ish characters, unique per customer. */
export function newInvoicePrefix(): string {
  let out = '';
  while (out.length < 8) out += '0123456789ABCDEF'.charAt(nextByte() & 15);
  return out;
}

export const newInvoiceId = (): string => `in_${randomAlphanumeric(24)}`;
export const newInvoiceItemId = (): string => `ii_${randomAlphanumeric(24)}`;
export const newLineItemId = (): string => `il_${randomAlphanumeric(24)}`;
/** The opaque part of hosted invoice and PDF links. */
export const newHostedToken = (): string => `test_${randomAlphanumeric(40)}`;
