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
 * Where the reconcile job keeps a catalog's last report with a system (sync_cursors): customers'
 * under `reconcile:<system>:last_report`, as before there were other catalogs; any other's under
 * `reconcile:<system>:<catalog>:last_report`.
 */
export function reconcileReportName(system: string, catalog = 'customer'): string {
  return catalog === 'customer' ? `reconcile:${system}:last_report` : `reconcile:${system}:${catalog}:last_report`;
}

/**
 * The last reconciliation report of the customers, which the reconcile job keeps in sync_cursors
 * (reconcileReportName). Without a system: the newest report of any system.
 */
export async function lastReconcileReport(em: EntityManager, system?: string): Promise<StoredReconcileReport | undefined> {
  const rows = await sql<{ name: string; value: Record<string, unknown>; updated_at: string }>(
    em,
    system === undefined
      ? `select name, value, updated_at from sync_cursors where name ~ '^reconcile:[^:]+:last_report$' order by updated_at desc limit 1`
      : 'select name, value, updated_at from sync_cursors where name = ?',
    system === undefined ? [] : [reconcileReportName(system)],
  );
  const row = rows[0];
  if (!row) return undefined;
  return { system: row.name.slice('reconcile:'.length, -':last_report'.length), updated_at: pgTime(row.updated_at), report: row.value };
}
