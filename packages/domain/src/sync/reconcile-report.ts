import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../sql';
import { pgTime } from './pg-time';

export interface StoredReconcileReport {
  system: string;
  /** Whose report it is: customers' reports stored before there were other catalogs do not say so themselves. */
  catalog: string;
  updated_at: Date;
  /** As the reconcile job wrote it (@cs/sync-jobs ReconcileReport, InvoiceReconcileReport); read here as plain JSON. */
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
 * The last reconciliation report of one catalog (customers by default), which the reconcile job
 * keeps in sync_cursors (reconcileReportName). Without a system: the newest report of any system.
 * `catalog` is a catalog name (lower case letters, digits, `_`, `-`), so it is safe in the pattern.
 */
export async function lastReconcileReport(em: EntityManager, system?: string, catalog = 'customer'): Promise<StoredReconcileReport | undefined> {
  // The system is the one path segment the name's shape leaves open.
  const pattern = `^${reconcileReportName('([^:]+)', catalog)}$`;
  const rows = await sql<{ system: string; value: Record<string, unknown>; updated_at: string }>(
    em,
    system === undefined
      ? 'select substring(name from ?) as system, value, updated_at from sync_cursors where name ~ ? order by updated_at desc limit 1'
      : 'select ?::text as system, value, updated_at from sync_cursors where name = ?',
    system === undefined ? [pattern, pattern] : [system, reconcileReportName(system, catalog)],
  );
  const row = rows[0];
  if (!row) return undefined;
  return { system: row.system, catalog, updated_at: pgTime(row.updated_at), report: row.value };
}
