import Stripe from 'stripe';
import { startApp, type AppOptions, type BenchProcess } from './app-process';

// Look like Stripe's formats (the apps validate them), and are obviously not real.
export const STRIPE_KEY = 'sk_test_bench_only';
export const WEBHOOK_SECRET = 'whsec_bench_only';
/** Our gateway's Stripe endpoint. */
export const WEBHOOK_PATH = '/api/v1/webhooks/stripe';
export const JSON_HEADERS = { 'content-type': 'application/json' };

export interface StripeCustomer {
  id: string;
  name: string | null;
  email: string | null;
  [field: string]: unknown;
}

export interface CustomerUpdate {
  eventId: string;
  /** The event's `created` (seconds): the source timestamp both receivers order by. */
  created: number;
  name: string;
  email: string;
  previous: { name: string | null; email: string | null };
  /** Stripe's request id, unique per event. */
  requestId: string;
}

/** A `customer.updated` event as Stripe sends it: the customer object with its new name and email, and previous_attributes. */
export function customerUpdatedBody(customer: StripeCustomer, update: CustomerUpdate): string {
  return JSON.stringify({
    id: update.eventId,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: update.created,
    data: { object: { ...customer, name: update.name, email: update.email }, previous_attributes: update.previous },
    livemode: false,
    pending_webhooks: 1,
    request: { id: update.requestId, idempotency_key: null },
    type: 'customer.updated',
  });
}

const signer = new Stripe(STRIPE_KEY).webhooks;

/** Stripe-Signature over the exact body, stamped now (receivers refuse signatures older than 5 minutes). */
export function signature(body: string): string {
  return signer.generateTestHeaderString({ payload: body, secret: WEBHOOK_SECRET, timestamp: Math.floor(Date.now() / 1000) });
}

/** Seeds `count` customers in the emulator (no events) and returns those of this `emailPrefix`. */
export async function seedCustomers(emulator: BenchProcess, count: number, emailPrefix: string, namePrefix: string): Promise<StripeCustomer[]> {
  const seeded = await fetch(`${emulator.origin}/_emulator/seed`, {
    method: 'POST',
    body: JSON.stringify({ count, email_prefix: emailPrefix, name_prefix: namePrefix, emit_events: false }),
  });
  if (!seeded.ok) throw new Error(`emulator seed: ${seeded.status} ${await seeded.text()}`);
  const all = (await (await fetch(`${emulator.origin}/_emulator/customers`)).json()) as StripeCustomer[];
  const ours = all.filter((c) => c.email?.startsWith(emailPrefix));
  if (ours.length !== count) throw new Error(`the emulator holds ${ours.length} customers of ${emailPrefix}, expected ${count}`);
  return ours;
}

export interface WebhookPath {
  worker: BenchProcess;
  gateway: BenchProcess;
}

/**
 * Our Stripe → Postgres path as production runs it: the inbound worker (its catch-up poller and
 * scheduled reconcile off, so only the webhook path runs; Stripe calls to `stripeApiBase`) and the
 * gateway, both verifying with WEBHOOK_SECRET.
 */
export async function startWebhookPath(common: Omit<AppOptions, 'port' | 'env'>, ports: { gateway: number; worker: number }, stripeApiBase: string): Promise<WebhookPath> {
  const worker = await startApp('inbound-worker', {
    ...common,
    port: ports.worker,
    env: {
      STRIPE_SECRET_KEY: STRIPE_KEY,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_BASE: stripeApiBase,
      CATCHUP_INTERVAL_MS: '0',
      RECONCILE_INTERVAL_MS: '0',
    },
  });
  try {
    const gateway = await startApp('webhook-gateway', { ...common, port: ports.gateway, env: { STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET } });
    return { worker, gateway };
  } catch (err) {
    await worker.stop();
    throw err;
  }
}
