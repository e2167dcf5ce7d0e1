import { z } from 'zod';
import { enabledConnectors, redeliveryFloor } from '@cs/integrations';
import { EnvError } from '@cs/platform';

const dayCount = (fallback: number) => z.coerce.number().int().min(1).max(3650).default(fallback);

/**
 * How long the bounded tables keep their rows (docs/operations.md, "Data retention"), for the
 * apps that run the retention job (the inbound worker's schedule, `pnpm sync prune`). Apply
 * `dedupeWindowCoversRedelivery` to the app's whole schema, last.
 */
export const retentionEnv = z.object({
  /** Inbound dedupe keys (processed_events) are kept this long; at least the longest redelivery window of an enabled system. */
  PROCESSED_EVENTS_RETENTION_DAYS: dayCount(30),
  /** Whole months of the audit trail (sync_events) older than this are dropped. */
  SYNC_EVENTS_RETENTION_DAYS: dayCount(90),
  /** Month partitions of sync_events made ahead of the current one. */
  SYNC_EVENTS_PARTITIONS_AHEAD: z.coerce.number().int().min(1).max(24).default(2),
  // Read here for the check below only; the connector registry parses them and reports their problems.
  SYNC_SYSTEMS: z.string().optional(),
  SYNC_CONNECTOR_MODULES: z.string().optional(),
});

export interface RetentionSettings {
  /** processed_events: the inbound dedupe window. */
  processedEventsDays: number;
  /** sync_events: whole months older than this are dropped. */
  syncEventsDays: number;
  /** sync_events: month partitions made ahead of the current one. */
  partitionsAhead: number;
}

export function retentionSettings(env: z.infer<typeof retentionEnv>): RetentionSettings {
  return { processedEventsDays: env.PROCESSED_EVENTS_RETENTION_DAYS, syncEventsDays: env.SYNC_EVENTS_RETENTION_DAYS, partitionsAhead: env.SYNC_EVENTS_PARTITIONS_AHEAD };
}

type RetentionEnv = Pick<z.infer<typeof retentionEnv>, 'PROCESSED_EVENTS_RETENTION_DAYS' | 'SYNC_SYSTEMS' | 'SYNC_CONNECTOR_MODULES'>;

/**
 * A dedupe window shorter than an enabled system's redelivery window (Stripe retries a webhook
 * for 3 days) would let a redelivered event through as new: refused, naming the floor.
 */
export function dedupeWindowCoversRedelivery(env: RetentionEnv, ctx: z.RefinementCtx): void {
  let floor;
  try {
    floor = redeliveryFloor(enabledConnectors({ SYNC_SYSTEMS: env.SYNC_SYSTEMS, SYNC_CONNECTOR_MODULES: env.SYNC_CONNECTOR_MODULES }));
  } catch (err) {
    if (err instanceof EnvError) return; // an unknown system: the registry says so
    throw err;
  }
  const days = env.PROCESSED_EVENTS_RETENTION_DAYS;
  if (!floor || days * 24 >= floor.hours) return;
  ctx.addIssue({
    code: 'custom',
    path: ['PROCESSED_EVENTS_RETENTION_DAYS'],
    message: `${days} day${days === 1 ? '' : 's'} is shorter than ${floor.system}'s redelivery window (${floor.hours} hours): a redelivered event would be applied again; set at least ${Math.ceil(floor.hours / 24)}`,
  });
}
