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
    // The maps summed key by key as rows (jsonb_each), not pair by pair: a merge per delta made the
    // upgrade's first fold (a delta per minute and series of the whole trail) take minutes.
    const key = 'width, start, system, catalog, direction';
    const [rollups] = await sql<{ n: string }>(
      tx,
      `with d as (
         delete from sync_event_rollup_deltas where id in (select id from sync_event_rollup_deltas order by id limit ?) returning *),
       p as (
         select w.width, date_bin(make_interval(secs => w.width), d.minute, '2000-01-01T00:00:00Z') as start, d.system, d.catalog, d.direction,
                d.syncs, d.success, d.failed, d.skipped, d.latency, d.errors
           from d cross join (values ${WIDTHS}) w(width)),
       c as (
         select ${key}, sum(syncs) as syncs, sum(success) as success, sum(failed) as failed, sum(skipped) as skipped from p group by 1, 2, 3, 4, 5),
       l as (
         select ${key}, jsonb_object_agg(k, jsonb_build_array(n, s)) as latency
           from (select ${key}, e.key as k, sum((e.value->>0)::numeric) as n, sum((e.value->>1)::numeric) as s
                   from p cross join jsonb_each(p.latency) e group by 1, 2, 3, 4, 5, 6) x
          where n <> 0 group by 1, 2, 3, 4, 5),
       r as (
         select ${key}, jsonb_object_agg(k, n) as errors
           from (select ${key}, e.key as k, sum(e.value::text::numeric) as n from p cross join jsonb_each(p.errors) e group by 1, 2, 3, 4, 5, 6) x
          where n <> 0 group by 1, 2, 3, 4, 5),
       folded as (
         insert into sync_event_rollups as t (${key}, syncs, success, failed, skipped, latency, errors)
         select c.width, c.start, c.system, c.catalog, c.direction, c.syncs, c.success, c.failed, c.skipped,
                coalesce(l.latency, '{}'::jsonb), coalesce(r.errors, '{}'::jsonb)
           from c left join l using (${key}) left join r using (${key})
         on conflict (${key}) do update
            set syncs = t.syncs + excluded.syncs, success = t.success + excluded.success, failed = t.failed + excluded.failed,
                skipped = t.skipped + excluded.skipped, latency = sync_rollup_merge(t.latency, excluded.latency),
                errors = sync_rollup_merge(t.errors, excluded.errors))
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
