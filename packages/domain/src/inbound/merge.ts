import { sameField, SYNCED_FIELDS, type SyncedField, type SyncedState } from '../customer-rules';

/** Which side changed which field since the state last synced with the record (`base`). */
export interface MergePlan {
  /** Changed only there: theirs is taken. */
  take: SyncedField[];
  /** Changed only here: ours is kept (the pending push sends it). */
  keep: SyncedField[];
  /** Changed on both sides to different values: the conflict policy decides. */
  conflicts: SyncedField[];
}

/**
 * Per-field three-way comparison (design.md §6). A field counts as changed there when the source
 * names it (`changedThere`), or — when the source does not say — when theirs differs from `base`;
 * changed here when ours differs from `base`. A field both sides set to the same value is no
 * conflict.
 */
export function planMerge(ours: SyncedState, theirs: SyncedState, base: SyncedState, changedThere?: readonly SyncedField[]): MergePlan {
  const plan: MergePlan = { take: [], keep: [], conflicts: [] };
  for (const f of SYNCED_FIELDS) {
    if (sameField(f, ours, theirs)) continue;
    const there = changedThere ? changedThere.includes(f) : !sameField(f, theirs, base);
    const here = !sameField(f, ours, base);
    if (there && here) plan.conflicts.push(f);
    else if (there) plan.take.push(f);
    else plan.keep.push(f);
  }
  return plan;
}

/** `into` with the values of `fields` taken from `from`. */
export function withFields(into: SyncedState, from: SyncedState, fields: readonly SyncedField[]): SyncedState {
  const out = { ...into };
  for (const f of fields) (out as Record<SyncedField, unknown>)[f] = from[f];
  return out;
}

/** The values of `fields` in `state`: what a conflict row records of each side. */
export function pick(state: SyncedState, fields: readonly SyncedField[]): Partial<SyncedState> {
  return Object.fromEntries(fields.map((f) => [f, state[f]])) as Partial<SyncedState>;
}
