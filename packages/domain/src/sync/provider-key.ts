import { createHash } from 'node:crypto';

/** Stripe's limit; other providers accept at least as much. */
const MAX = 255;

/**
 * The idempotency key a push sends to a provider: derived from the message's own key, so that a
 * re-delivery of one message replays its first call, while every other message — a later version,
 * a reconcile repair of a version already pushed once, a replayed dead letter — is a call of its
 * own. (A key per customer version made a repair replay the version's first answer: nothing
 * changed in Stripe, and the drift stayed.) A key that would be too long keeps its readable start
 * and ends in a digest of the whole.
 */
export function providerIdempotencyKey(messageKey: string, system: string, action: 'create' | 'update' | 'delete'): string {
  const key = `${messageKey}:${system}:${action}`;
  if (key.length <= MAX) return key;
  const digest = createHash('sha256').update(key).digest('hex');
  return `${key.slice(0, MAX - digest.length - 1)}:${digest}`;
}
