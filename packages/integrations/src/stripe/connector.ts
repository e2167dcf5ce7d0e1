import { defineConnector } from '../connector';
import { stripeEnv, stripeWebhookEnv } from './env';
import { StripeIntegration } from './stripe-integration';
import { StripeWebhookVerifier } from './webhooks';

/** Stripe's limits: 100 requests/s in live mode, 25 in test mode; *_RATE overrides either. */
const defaultRate = (secretKey: string) => (secretKey.includes('_live_') ? 100 : 25);

export const stripeConnector = defineConnector({
  system: 'stripe',
  okText: 'authenticated',
  env: stripeEnv,
  webhookEnv: stripeWebhookEnv,
  connect: (env, hooks) =>
    new StripeIntegration({ secretKey: env.STRIPE_SECRET_KEY, apiBase: env.STRIPE_API_BASE, timeoutMs: env.STRIPE_TIMEOUT_MS, onCall: hooks.onCall, fieldMap: env.STRIPE_FIELD_DIRECTIONS }),
  webhookVerifier: (env) => new StripeWebhookVerifier(env.STRIPE_WEBHOOK_SECRET),
  // Stripe retries an undelivered live-mode webhook for up to three days.
  redeliveryWindowHours: 72,
  limits: (env) => ({
    writesPerSec: env.STRIPE_WRITE_RATE ?? defaultRate(env.STRIPE_SECRET_KEY),
    readsPerSec: env.STRIPE_READ_RATE ?? defaultRate(env.STRIPE_SECRET_KEY),
  }),
});
