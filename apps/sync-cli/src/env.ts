import { z } from 'zod';
import { stripeEnv } from '@cs/integrations';
import { baseEnv, databaseEnv, kafkaEnv } from '@cs/platform';

export const cliEnv = baseEnv
  .extend(databaseEnv.shape)
  .extend(kafkaEnv.shape)
  .extend(stripeEnv.shape)
  .extend({
    /** Reads per second against Stripe during backfill and reconcile (Stripe allows 100 live, 25 test). */
    STRIPE_READ_RATE: z.coerce.number().min(0).max(100_000).optional(),
  })
  .partial({ STRIPE_WEBHOOK_SECRET: true });
export type CliEnv = z.infer<typeof cliEnv>;

export function readRate(env: CliEnv): number {
  return env.STRIPE_READ_RATE ?? (env.STRIPE_SECRET_KEY.includes('_live_') ? 100 : 25);
}
