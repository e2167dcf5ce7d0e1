import { z } from 'zod';
import { baseEnv, booleanFlag, databaseEnv, kafkaEnv, port } from '@cs/platform';
import { parseApiKeys } from './api-keys';

export const apiEnv = baseEnv
  .extend(databaseEnv.shape)
  .extend(kafkaEnv.shape)
  .extend({
    API_PORT: port(8000),
    /** Comma list of `name:token` (or bare tokens, named by their digest). Unset: the API runs open, outside production only. */
    API_KEYS: z
      .string()
      .transform((v, ctx) => {
        const parsed = parseApiKeys(v);
        if ('keys' in parsed) return parsed.keys;
        ctx.addIssue({ code: 'custom', message: parsed.problem });
        return z.NEVER;
      })
      .optional(),
    /**
     * Requests per second per API key (per client address when the API is open); 0 turns the limit
     * off. The default is about half of what one replica serves (docs/benchmarks.md), so one runaway
     * client cannot take a replica alone while no well-behaved one notices.
     */
    API_RATE_LIMIT_PER_SECOND: z.coerce.number().min(0).max(1_000_000).default(500),
    /** Requests a key may make at once above the rate; unset: two seconds' worth. */
    API_RATE_LIMIT_BURST: z.coerce.number().int().min(1).max(10_000_000).optional(),
    /** Run the outbox relay in this process (one active relay is elected among instances). */
    RELAY_ENABLED: booleanFlag(true),
    /** The relay's safety-net poll; LISTEN/NOTIFY wakes it at once in normal operation. */
    RELAY_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
    /** While rows keep coming, the relay looks this often by itself (writers then skip their NOTIFY, which serialises commits). */
    RELAY_ACTIVE_POLL_MS: z.coerce.number().int().min(1).max(1000).default(2),
  });
export type ApiEnv = z.infer<typeof apiEnv>;
