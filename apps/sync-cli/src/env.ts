import type { z } from 'zod';
import { dedupeWindowCoversRedelivery, retentionEnv } from '@cs/domain';
import { baseEnv, databaseEnv, kafkaEnv } from '@cs/platform';

// The CLI's own settings; each enabled system's (SYNC_SYSTEMS) are read by its connector, and only
// when a command needs that system (`dlq` and `status` need none).
export const cliEnv = baseEnv.extend(databaseEnv.shape).extend(kafkaEnv.shape);
export type CliEnv = z.infer<typeof cliEnv>;

/** `prune`'s settings, the inbound worker's retention variables: read only by that command. */
export const pruneEnv = retentionEnv.superRefine(dedupeWindowCoversRedelivery);
