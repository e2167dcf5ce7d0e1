const SECRET_KEY = /secret|password|token|authorization|api[_-]?key|card|iban/i;

export const REDACTED = '[redacted]';

/**
 * A copy of `value` with the value of every key that looks like it holds a secret replaced,
 * at any depth. Used on whatever the API shows of stored messages (dead-letter envelopes,
 * sync-event payloads): those hold what came from outside, and may carry credentials.
 */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? REDACTED : redact(v)]));
  }
  return value;
}
