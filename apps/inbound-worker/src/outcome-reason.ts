import type { SyncReason } from '@cs/platform';

// The domain's outcome reasons are sentences for people (stored in sync_events); the metric needs
// a small fixed set. Unknown sentences count as "other" rather than growing the label set.
const PATTERNS: Array<[RegExp, SyncReason]> = [
  [/^duplicate event$/, 'duplicate'],
  [/^stale event$/, 'stale'],
  [/^already equal \(echo\)$/, 'echo'],
  [/^already equal$/, 'unchanged'],
  [/deleted here$/, 'deleted_here'],
  [/^not linked/, 'not_linked'],
  [/^event type not synced$/, 'unsupported_event'],
  [/^ours is newer/, 'ours_newer'],
  [/^same second/, 'same_second'],
  // A per-field merge's conflict names its fields first, then how the policy decided.
  [/^changed on both sides \(.*\): ours is newer/, 'ours_newer'],
  [/^changed on both sides \(.*\): same second/, 'same_second'],
];

export function inboundReason(reason: string | undefined): SyncReason {
  if (!reason) return 'none';
  return PATTERNS.find(([re]) => re.test(reason))?.[1] ?? 'other';
}
