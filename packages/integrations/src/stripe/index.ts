export { StripeIntegration } from './stripe-integration';
export { StripeWebhookVerifier } from './webhooks';
export type { StripeConfig } from './config';
export { stripeEnv, stripeConfigFromEnv, type StripeEnv } from './env';
