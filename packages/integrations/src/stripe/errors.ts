import Stripe from 'stripe';
import type { ErrorClass } from '../types';

function header(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0]) : undefined;
}

/**
 * Retry 429, 5xx, 409 lock conflicts and network failures; honour Stripe-Should-Retry when Stripe
 * sends it, and Retry-After. Refused credentials (401, 403) are retried too, as Stripe being down
 * for us: until someone fixes the key no call can succeed, and none may park a change. Anything
 * else from Stripe (400-class validation) is permanent. `systemDown` marks the failures that are
 * Stripe's rather than one request's: they open the circuit breaker.
 */
export function classifyStripeError(err: unknown): ErrorClass {
  if (!(err instanceof Stripe.errors.StripeError)) {
    const message = err instanceof Error ? err.message : String(err);
    return { retryable: true, code: 'network_error', message };
  }
  const status = err.statusCode;
  const shouldRetry = header(err.headers, 'stripe-should-retry');
  const retryAfter = Number(header(err.headers, 'retry-after'));
  const retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined;
  const base = {
    // err.type is the SDK's class name; Stripe's own error type is rawType.
    code: err.code ?? err.rawType ?? 'stripe_error',
    message: err.message,
    ...(status !== undefined ? { status } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
  // Neutral codes for the outcomes the workers act on; everything else keeps Stripe's own code.
  if (err instanceof Stripe.errors.StripeIdempotencyError) return { retryable: false, ...base, code: 'idempotency_conflict' };
  if (status === 404) return { retryable: false, ...base, code: 'not_found' };
  if (status === 401 || status === 403) return { retryable: true, systemDown: true, ...base };
  // No answer at all (refused, reset, timed out): the SDK's error has no code of Stripe's.
  if (err instanceof Stripe.errors.StripeConnectionError) return { retryable: true, systemDown: true, ...base, code: 'network_error' };
  // lock_timeout: another request holds this one object, not Stripe throttling us.
  const down = status === undefined || status >= 500 || (status === 429 && base.code !== 'lock_timeout');
  if (shouldRetry === 'true') return { retryable: true, ...base, ...(down ? { systemDown: true } : {}) };
  if (shouldRetry === 'false') return { retryable: false, ...base };
  if (down) return { retryable: true, systemDown: true, ...base };
  if (status === 409 || status === 429) return { retryable: true, ...base };
  return { retryable: false, ...base };
}
