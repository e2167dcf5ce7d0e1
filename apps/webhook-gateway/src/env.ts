import { type z } from 'zod';
import { stripeEnv } from '@cs/integrations';
import { baseEnv, kafkaEnv, port } from '@cs/platform';

// The gateway verifies signatures only: it needs the webhook secret, never a database.
export const gatewayEnv = baseEnv
  .extend(kafkaEnv.shape)
  .extend({ WEBHOOK_PORT: port(8001), STRIPE_WEBHOOK_SECRET: stripeEnv.shape.STRIPE_WEBHOOK_SECRET });
export type GatewayEnv = z.infer<typeof gatewayEnv>;
