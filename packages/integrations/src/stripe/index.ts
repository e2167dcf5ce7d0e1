export { StripeIntegration } from './stripe-integration';
export { StripeWebhookVerifier } from './webhooks';
export type { StripeConfig } from './config';
export { stripeEnv, stripeWebhookEnv, type StripeEnv } from './env';
export { stripeConnector } from './connector';
export { StripeCustomers } from './customers';
export { StripeInvoices } from './invoices';
export { dueDateToUnix, unixToDueDate } from './invoice-mapping';
