import { z } from 'zod';
import { stripeEnv } from '@cs/integrations';
import { baseEnv, databaseEnv, kafkaEnv, port } from '@cs/platform';

const positiveInt = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);

export const workerEnv = baseEnv
  .extend(databaseEnv.shape)
  .extend(kafkaEnv.shape)
  .extend(stripeEnv.shape)
  .extend({
    HEALTH_PORT: port(8003),
    INBOUND_MAX_ATTEMPTS: positiveInt(12, 100),
    INBOUND_RETRY_BASE_MS: positiveInt(250, 60_000),
    INBOUND_RETRY_MAX_MS: positiveInt(30_000, 600_000),
    /** External records applied at once per partition batch (each record's events stay in order). */
    INBOUND_CONCURRENCY: positiveInt(16, 256),
  });
export type WorkerEnv = z.infer<typeof workerEnv>;
