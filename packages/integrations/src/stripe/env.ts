import { z } from 'zod';

/** The Stripe settings of any app that talks to Stripe or verifies its webhooks. */
export const stripeEnv = z.object({
  STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/, 'expected a Stripe secret key (sk_test_..., sk_live_...)'),
  /** Comma list: during a rotation, both the old and the new secret. */
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .refine((list) => list.length > 0 && list.every((s) => /^whsec_[A-Za-z0-9_]+$/.test(s)), 'expected whsec_... (comma list allowed)'),
  /** e.g. http://127.0.0.1:12111 (the emulator); unset means Stripe itself. */
  STRIPE_API_BASE: z.url({ protocol: /^https?$/ }).optional(),
  STRIPE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
});
export type StripeEnv = z.infer<typeof stripeEnv>;

export function stripeConfigFromEnv(env: StripeEnv) {
  return {
    secretKey: env.STRIPE_SECRET_KEY,
    webhookSecrets: env.STRIPE_WEBHOOK_SECRET,
    apiBase: env.STRIPE_API_BASE,
    timeoutMs: env.STRIPE_TIMEOUT_MS,
  };
}
