import { z } from 'zod';
import { baseEnv, booleanFlag, databaseEnv, kafkaEnv, port } from '@cs/platform';

export const apiEnv = baseEnv
  .extend(databaseEnv.shape)
  .extend(kafkaEnv.shape)
  .extend({
    API_PORT: port(8000),
    /** Comma list of bearer tokens. Unset: the API runs open, outside production only. */
    API_KEYS: z
      .string()
      .transform((v) => v.split(',').map((k) => k.trim()).filter(Boolean))
      .refine((keys) => keys.every((k) => k.length >= 16), 'each key must be at least 16 characters')
      .optional(),
    /** Run the outbox relay in this process (one active relay is elected among instances). */
    RELAY_ENABLED: booleanFlag(true),
    /** The relay's safety-net poll; LISTEN/NOTIFY wakes it at once in normal operation. */
    RELAY_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  });
export type ApiEnv = z.infer<typeof apiEnv>;
