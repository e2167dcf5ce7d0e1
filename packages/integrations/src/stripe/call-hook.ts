import type Stripe from 'stripe';
import type { ExternalCall } from '../types';

/** A path segment that is an object id (cus_…, evt_…): templated out so labels stay bounded. */
const ID = /^[a-z]+_[A-Za-z0-9]+$/;

/** "GET /v1/customers/cus_123?expand=x" → "GET /v1/customers/{id}". */
export function operationOf(method: string, path: string): string {
  const template = path
    .split('?')[0]!
    .split('/')
    .map((segment) => (ID.test(segment) || /^\d+$/.test(segment) ? '{id}' : segment))
    .join('/');
  return `${method.toUpperCase()} ${template}`;
}

/**
 * Reports every HTTP answer the SDK receives, through its own `response` event: the SDK measures
 * the exchange itself, and list auto-pagination shows up as one call per page, as it happens on
 * the wire. The hook can never break a Stripe call: whatever it throws is swallowed.
 */
export function reportCalls(stripe: Stripe, onCall: (call: ExternalCall) => void): void {
  stripe.on('response', (e: Stripe.ResponseEvent) => {
    try {
      onCall({ system: 'stripe', method: operationOf(e.method, e.path), status: e.status, elapsedMs: e.elapsed });
    } catch {
      // metrics are never worth a failed sync
    }
  });
}
