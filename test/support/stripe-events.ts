/**
 * Stripe events for tests: a captured customer.updated as the template (fixtures/stripe), varied
 * per test, and signed exactly as Stripe signs webhooks, with the SDK's own test-header helper.
 */
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import template from '../fixtures/stripe/customer.updated.json';

const stripe = new Stripe('sk_test_fixture_signer');

export interface EventInput {
  type?: string;
  id?: string;
  created?: number;
  customer?: Partial<{ id: string; name: string | null; email: string | null; phone: string | null; address: Record<string, string | null> | null; metadata: Record<string, string> }>;
  /** Replaces the template's previous_attributes (what Stripe says changed); null leaves none. */
  previous?: Record<string, unknown> | null;
}

let seq = 0;
export function stripeEvent(input: EventInput = {}): Record<string, unknown> {
  seq += 1;
  const base = structuredClone(template) as typeof template & { data: { object: Record<string, unknown> } };
  return {
    ...base,
    id: input.id ?? `evt_test_${randomBytes(8).toString('hex')}_${seq}`,
    type: input.type ?? 'customer.updated',
    created: input.created ?? Math.floor(Date.now() / 1000),
    data: {
      ...(input.previous === null ? { object: base.data.object } : base.data),
      ...(input.previous ? { previous_attributes: input.previous } : {}),
      object: { ...base.data.object, ...input.customer },
    },
  };
}

export function sign(body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp });
}
