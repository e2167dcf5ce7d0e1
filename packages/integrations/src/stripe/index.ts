export { StripeIntegration } from './stripe-integration';
export type { StripeConfig } from './config';
export { stripeEnv, stripeConfigFromEnv, type StripeEnv } from './env';
