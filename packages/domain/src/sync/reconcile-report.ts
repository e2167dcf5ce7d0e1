import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../sql';
import { pgTime } from './pg-time';

export interface StoredReconcileReport {
  system: string;
  updated_at: Date;
  /** As the reconcile job wrote it (@cs/sync-jobs ReconcileReport); read here as plain JSON. */
  report: Record<string, unknown>;
}

/**
 * The last reconciliation report, which the reconcile job keeps in sync_cursors under
 * `reconcile:<system>:last_report`. Without a system: the newest report of any system.
 */
export async function lastReconcileReport(em: EntityManager, system?: string): Promise<StoredReconcileReport | undefined> {
  const rows = await sql<{ name: string; value: Record<string, unknown>; updated_at: string }>(
    em,
    system === undefined
      ? `select name, value, updated_at from sync_cursors where name like 'reconcile:%:last_report' order by updated_at desc limit 1`
      : 'select name, value, updated_at from sync_cursors where name = ?',
    system === undefined ? [] : [`reconcile:${system}:last_report`],
  );
  const row = rows[0];
  if (!row) return undefined;
  return { system: row.name.slice('reconcile:'.length, -':last_report'.length), updated_at: pgTime(row.updated_at), report: row.value };
}
