import { randomUUID } from 'node:crypto';
import type { ChangeRecord } from './changes';

export interface WriteContext {
  /** commitUser and LastModifiedById. */
  userId: string;
  /** The CDC changeOrigin, e.g. "com/salesforce/api/rest/64.0;client=sync". */
  changeOrigin: string;
  /** API writes count in stats; UI (admin) writes do not. */
  via: 'api' | 'ui';
}

/**
 * Writes made so far in one transaction, with what it takes to undo them. One transaction has one
 * timestamp, as one DML statement gives all its records the same LastModifiedDate.
 */
export class Transaction {
  readonly key = randomUUID();
  readonly changes: ChangeRecord[] = [];
  readonly undo: Array<() => void> = [];
  writes = 0;
  constructor(readonly ctx: WriteContext, readonly at: number) {}
}

/**
 * Salesforce sends one event for the same change to several records of a transaction (the same
 * fields set to the same values, or deletes), with all their ids in recordIds.
 */
export function mergeSameChanges(changes: readonly ChangeRecord[]): ChangeRecord[] {
  const merged = new Map<string, ChangeRecord>();
  for (const change of changes) {
    const signature = JSON.stringify([change.changeType, change.changedFields, change.nulledFields, Object.entries(change.values)]);
    const existing = merged.get(signature);
    if (existing === undefined) merged.set(signature, { ...change, recordIds: [...change.recordIds] });
    else existing.recordIds.push(...change.recordIds);
  }
  return [...merged.values()];
}
