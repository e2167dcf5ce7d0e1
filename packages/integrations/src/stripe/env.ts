import { z } from 'zod';
import { fieldDirections } from '../field-map';

const rate = z.coerce.number().min(0).max(100_000).optional();

/** What calling Stripe needs: the workers, the CLI, the API's health view. */
export const stripeEnv = z.object({
  STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/, 'expected a Stripe secret key (sk_test_..., sk_live_...)'),
  /** e.g. http://127.0.0.1:12111 (the emulator); unset means Stripe itself. */
  STRIPE_API_BASE: z.url({ protocol: /^https?$/ }).optional(),
  STRIPE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Writes per second (outbound); default 25 with a test key, 100 with a live key (Stripe's limits). */
  STRIPE_WRITE_RATE: rate,
  /** Reads per second (catch-up, backfill, reconcile); same defaults. */
  STRIPE_READ_RATE: rate,
  /** Which way each customer field travels with Stripe (`phone=from,…`); every field both ways when unset. */
  STRIPE_FIELD_DIRECTIONS: fieldDirections,
});
export type StripeEnv = z.infer<typeof stripeEnv>;

/** What verifying Stripe's webhooks needs (the gateway holds no API key). */
export const stripeWebhookEnv = z.object({
  /** Comma list: during a rotation, both the old and the new secret. */
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .refine((list) => list.length > 0 && list.every((s) => /^whsec_[A-Za-z0-9_]+$/.test(s)), 'expected whsec_... (comma list allowed)'),
});
