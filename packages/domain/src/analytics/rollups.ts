import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../sql';
import { ROLLUP_WIDTHS } from './window-cover';

export interface Compaction {
  /** sync_event_rollup_deltas rows folded into sync_event_rollups. */
  rollupDeltas: number;
  /** row_count_deltas rows folded into row_counts. */
  countDeltas: number;
}

const WIDTHS = ROLLUP_WIDTHS.map((w) => `(${w})`).join(', ');

/**
 * One fold of up to `batch` deltas of each kind, in one transaction: deleted and added to their
 * rows together, so a reader (which adds the deltas still there) never counts one twice or not
 * at all. One instance folds at a time (a transaction lock; the others skip): two folds upserting
 * the same rows in different orders would deadlock.
 */
async function foldOnce(em: EntityManager, batch: number): Promise<Compaction | undefined> {
  return em.transactional(async (tx) => {
    const [lock] = await sql<{ ok: boolean }>(tx, `select pg_try_advisory_xact_lock(hashtext('sync_rollups')) as ok`);
    if (!lock?.ok) return undefined;
    const [rollups] = await sql<{ n: string }>(
      tx,
      `with d as (
         delete from sync_event_rollup_deltas where id in (select id from sync_event_rollup_deltas order by id limit ?) returning *),
       folded as (
         insert into sync_event_rollups as r (width, start, system, catalog, direction, syncs, success, failed, skipped, latency, errors)
         select w.width, date_bin(make_interval(secs => w.width), d.minute, '2000-01-01T00:00:00Z'), d.system, d.catalog, d.direction,
                sum(d.syncs), sum(d.success), sum(d.failed), sum(d.skipped), sync_rollup_sum(d.latency), sync_rollup_sum(d.errors)
           from d cross join (values ${WIDTHS}) w(width)
          group by 1, 2, 3, 4, 5
         on conflict (width, start, system, catalog, direction) do update
            set syncs = r.syncs + excluded.syncs, success = r.success + excluded.success, failed = r.failed + excluded.failed,
                skipped = r.skipped + excluded.skipped, latency = sync_rollup_merge(r.latency, excluded.latency),
                errors = sync_rollup_merge(r.errors, excluded.errors))
       select count(*) as n from d`,
      [batch],
    );
    const [counts] = await sql<{ n: string }>(
      tx,
      `with d as (delete from row_count_deltas where id in (select id from row_count_deltas order by id limit ?) returning name, n),
       folded as (
         insert into row_counts as c (name, n) select name, sum(n) from d group by name
         on conflict (name) do update set n = c.n + excluded.n)
       select count(*) as n from d`,
      [batch],
    );
    return { rollupDeltas: Number(rollups?.n ?? 0), countDeltas: Number(counts?.n ?? 0) };
  });
}

/**
 * Folds the deltas the triggers of sync_events, customers and external_mappings wrote (migration
 * 20261210) until none is left, `batch` at a time. Undefined when another instance is folding.
 */
export async function compactRollups(em: EntityManager, batch = 10_000): Promise<Compaction | undefined> {
  const total: Compaction = { rollupDeltas: 0, countDeltas: 0 };
  for (;;) {
    const once = await foldOnce(em, batch);
    if (!once) return total.rollupDeltas + total.countDeltas > 0 ? total : undefined;
    total.rollupDeltas += once.rollupDeltas;
    total.countDeltas += once.countDeltas;
    if (once.rollupDeltas < batch && once.countDeltas < batch) return total;
  }
}

/** The maintained counters (row_counts plus the deltas not folded yet), by name. */
export async function rowCounts(em: EntityManager): Promise<Map<string, number>> {
  const rows = await sql<{ name: string; n: string }>(
    em,
    `select name, sum(n) as n from (select name, n from row_counts union all select name, n from row_count_deltas) c group by name`,
  );
  return new Map(rows.map((r) => [r.name, Number(r.n)]));
}
