import { syncLatency, syncMessages } from './metric-catalog';

export type SyncDirection = 'inbound' | 'outbound';

/**
 * How a message ended. success / skipped / conflict: the handler finished it. retried: one
 * attempt failed and another follows (counted per retry). parked: given up on, stored in
 * dead_letters. failed: not even parking worked, so the batch is not committed and Kafka
 * re-delivers it.
 */
export type SyncOutcome = 'success' | 'skipped' | 'retried' | 'failed' | 'parked' | 'conflict';

/** The `reason` label's whole vocabulary; anything else is counted as "other". */
export const SYNC_REASONS = [
  'none',
  // skipped
  'echo',
  'unchanged',
  'not_found',
  'never_synced',
  'duplicate',
  'stale',
  'deleted_here',
  'not_linked',
  'unsupported_event',
  // conflict
  'ours_newer',
  'same_second',
  // retried, parked, failed
  'rate_limited',
  'server_error',
  'lock_conflict',
  'network',
  'permanent',
  'exhausted',
  'invalid_message',
  'review',
  'other',
] as const;
export type SyncReason = (typeof SYNC_REASONS)[number];

const KNOWN = new Set<string>(SYNC_REASONS);

/** The `catalog` label: which of our catalogs a message is about (a bounded set; anything else is "other"). */
export const SYNC_CATALOGS = ['customer', 'invoice'] as const;
const CATALOGS = new Set<string>(SYNC_CATALOGS);
const catalogLabel = (catalog: string) => (CATALOGS.has(catalog) ? catalog : 'other');

export function countSync(direction: SyncDirection, system: string, outcome: SyncOutcome, reason: SyncReason = 'none', catalog = 'customer'): void {
  syncMessages().inc({ direction, system, outcome, reason: KNOWN.has(reason) ? reason : 'other', catalog: catalogLabel(catalog) });
}

/** Time from the source event (epoch ms) to now, when the change has been applied. */
export function observeSyncLatency(direction: SyncDirection, system: string, sourceMs: number, catalog = 'customer'): void {
  if (!Number.isFinite(sourceMs)) return;
  // Clocks of two machines (and Stripe's whole-second timestamps) can put the source a little ahead.
  syncLatency().observe({ direction, system, catalog: catalogLabel(catalog) }, Math.max(0, (Date.now() - sourceMs) / 1000));
}

export interface FailureLike {
  retryable: boolean;
  code: string;
  status?: number | undefined;
}

/** Buckets a classified failure into the bounded reason vocabulary. */
export function failureReason(failure: FailureLike): SyncReason {
  if (failure.code === 'invalid_message') return 'invalid_message';
  if (failure.status === 429) return 'rate_limited';
  if (failure.status === 409) return 'lock_conflict';
  if (failure.status !== undefined && failure.status >= 500) return 'server_error';
  if (failure.code === 'network_error') return 'network';
  return failure.retryable ? 'other' : 'permanent';
}

/** Why a message was parked: its failure's bucket, or "exhausted" when retries ran out. */
export function parkReason(failure: FailureLike | undefined): SyncReason {
  if (!failure) return 'invalid_message';
  return failure.retryable ? 'exhausted' : failureReason(failure);
}
