import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../sql';
import { rowCounts } from '../analytics';
import { catalogNames } from '../catalogs/names';
import { lastReconcileReport, type StoredReconcileReport } from './reconcile-report';

export interface LastReconcile {
  system: string | null;
  finished_at: string | null;
  drift_count: number | null;
}

export interface SyncSummary {
  customers: number;
  mapped: Record<string, number>;
  sync_events_last_hour: Record<string, number>;
  dead_letters_parked: number;
  outbox: { backlog: number; oldest_age_seconds: number | null };
  /** The customers' last reconciliation, as before there were other catalogs. */
  last_reconcile: LastReconcile | null;
  /** Every catalog's last reconciliation (null: none yet), by catalog name. */
  last_reconcile_by_catalog: Record<string, LastReconcile | null>;
  generated_at: Date;
}

function lastReconcile(stored: StoredReconcileReport | undefined): LastReconcile | null {
  if (!stored) return null;
  const { report } = stored;
  return {
    system: typeof report.system === 'string' ? report.system : stored.system,
    finished_at: typeof report.finished_at === 'string' ? report.finished_at : null,
    drift_count: typeof report.drift_count === 'number' ? report.drift_count : null,
  };
}

const byKey = (rows: Array<{ key: string; n: string }>) => Object.fromEntries(rows.map((r) => [r.key, Number(r.n)]));

const MAPPINGS = 'external_mappings:';

/**
 * Live counts for the console, polled every few seconds. The customers and the mappings per
 * system are counters the tables' triggers keep (migration 20261210, `rowCounts`): counting
 * 200,000 rows on every poll was most of its time. The rest runs on an index (the created_at
 * index of sync_events, the unpublished-outbox partial index, the dead-letter status index), so a
 * poll stays cheap as the tables grow.
 */
export async function syncSummary(em: EntityManager): Promise<SyncSummary> {
  const [counts, events, parked, outbox, reports] = await Promise.all([
    rowCounts(em),
    sql<{ key: string; n: string }>(em, `select status as key, count(*) as n from sync_events where created_at > now() - interval '1 hour' group by status`),
    sql<{ n: string }>(em, `select count(*) as n from dead_letters where status = 'parked'`),
    sql<{ n: string; age: string | null }>(
      em,
      `select (select count(*) from outbox where published_at is null) as n,
              (select extract(epoch from now() - created_at) from outbox where published_at is null order by id limit 1) as age`,
    ),
    Promise.all(catalogNames.map(async (catalog) => [catalog, lastReconcile(await lastReconcileReport(em, undefined, catalog))] as const)),
  ]);
  const byCatalog = Object.fromEntries(reports);
  const age = outbox[0]?.age;
  return {
    customers: counts.get('customers:live') ?? 0,
    mapped: Object.fromEntries([...counts].filter(([name, n]) => name.startsWith(MAPPINGS) && n > 0).map(([name, n]) => [name.slice(MAPPINGS.length), n])),
    sync_events_last_hour: byKey(events),
    dead_letters_parked: Number(parked[0]?.n ?? 0),
    outbox: { backlog: Number(outbox[0]?.n ?? 0), oldest_age_seconds: age === null || age === undefined ? null : Math.max(0, Math.round(Number(age))) },
    last_reconcile: byCatalog.customer ?? null,
    last_reconcile_by_catalog: byCatalog,
    generated_at: new Date(),
  };
}
