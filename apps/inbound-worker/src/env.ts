import { type z } from 'zod';
import { stripeEnv } from '@cs/integrations';
import { baseEnv, databaseEnv, kafkaEnv, port } from '@cs/platform';

export const workerEnv = baseEnv
  .extend(databaseEnv.shape)
  .extend(kafkaEnv.shape)
  .extend(stripeEnv.shape)
  .extend({ HEALTH_PORT: port(8003) });
export type WorkerEnv = z.infer<typeof workerEnv>;
