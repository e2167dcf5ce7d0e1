import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../sql';
import { retentionCutoff } from './cutoff';
import { STILL_NEEDED } from './still-needed';

/** Our month partitions are named sync_events_YYYY_MM (sync_events_add_partition, migration 20261206). */
const MONTH_PARTITION = '^sync_events_[0-9]{4}_[0-9]{2}$';
const DEFAULT_PARTITION = 'sync_events_default';

export interface DroppedPartition {
  partition: string;
  /** Rows the partition held. */
  rows: number;
  /** Of those, the rows still needed (STILL_NEEDED), moved to the DEFAULT partition instead. */
  kept: number;
}

export interface PartitionMaintenance {
  /** Month partitions made (this month and the ones ahead that were missing). */
  created: string[];
  dropped: DroppedPartition[];
  /** Rows past the retention deleted from the DEFAULT partition. */
  defaultRemoved: number;
}

export interface PartitionOptions {
  /** Months made ahead of the current one. */
  ahead: number;
  /** Whole months older than this many days are dropped. */
  retentionDays: number;
  /** "Now", for tests; default the database's clock. */
  now?: Date;
  batch?: number;
}

/**
 * DDL on sync_events takes a short exclusive lock on it. It waits at most a few seconds for one
 * (behind a long query, say) rather than queue every insert behind itself; the next run retries.
 */
async function withShortLock(em: EntityManager, work: (tx: EntityManager) => Promise<void>): Promise<void> {
  await em.transactional(async (tx) => {
    await sql(tx, `set local lock_timeout = '5s'`);
    await work(tx);
  });
}

/** This month's partition and the `ahead` next ones, made where missing; returns the ones made. */
export async function ensureSyncEventPartitions(em: EntityManager, ahead: number, now?: Date): Promise<string[]> {
  const created: string[] = [];
  for (let month = 0; month <= ahead; month += 1) {
    await withShortLock(em, async (tx) => {
      const [row] = await sql<{ made: string | null }>(
        tx,
        `select sync_events_add_partition((date_trunc('month', coalesce(?::timestamptz, now()) at time zone 'UTC') + make_interval(months => ?))::date) as made`,
        [now ?? null, month],
      );
      if (row?.made) created.push(row.made);
    });
  }
  return created;
}

/** The month partitions whose whole month ended before `cutoff`. */
async function expiredPartitions(em: EntityManager, cutoff: string): Promise<string[]> {
  const rows = await sql<{ name: string }>(
    em,
    `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'sync_events'::regclass and c.relname ~ ?
        and (to_date(substr(c.relname, 13), 'YYYY_MM') + interval '1 month')::timestamp at time zone 'UTC' <= ?
      order by c.relname`,
    [MONTH_PARTITION, cutoff],
  );
  return rows.map((r) => r.name);
}

/** sync_events' columns, in order, for copying rows between its partitions by name rather than by position. */
async function columnList(em: EntityManager): Promise<string> {
  const [row] = await sql<{ columns: string }>(
    em,
    `select string_agg(quote_ident(attname), ', ' order by attnum) as columns from pg_attribute
      where attrelid = 'sync_events'::regclass and attnum > 0 and not attisdropped`,
  );
  return row!.columns;
}

/**
 * Drops one month: its still-needed rows are found first (a read that blocks nobody), then, in
 * one short transaction, the partition is detached, the month's analytics rollups go with it
 * (nothing fires for a dropped table), those rows are put back (no partition holds their month any
 * more, so they land in the DEFAULT one, and its triggers count them again) and the partition is
 * dropped.
 */
async function dropPartition(em: EntityManager, name: string, columns: string): Promise<DroppedPartition> {
  // The name matched MONTH_PARTITION: safe to quote as an identifier.
  const table = `"${name}"`;
  const [scan] = await sql<{ n: string; kept: number[] | null }>(
    em,
    `select count(*) as n, array_agg(e.id) filter (where ${STILL_NEEDED.text}) as kept from ${table} e`,
    STILL_NEEDED.params,
  );
  const kept = scan?.kept ?? [];
  await withShortLock(em, async (tx) => {
    await sql(tx, `alter table sync_events detach partition ${table}`);
    const month = `(to_date(substr(?, 13), 'YYYY_MM')::timestamp at time zone 'UTC')`;
    const inMonth = (column: string) => `${column} >= ${month} and ${column} < ${month} + interval '1 month'`;
    await sql(tx, `delete from sync_event_rollups where ${inMonth('start')}`, [name, name]);
    await sql(tx, `delete from sync_event_rollup_deltas where ${inMonth('minute')}`, [name, name]);
    if (kept.length > 0) await sql(tx, `insert into sync_events (${columns}) select ${columns} from ${table} where id = any(?::int[])`, [`{${kept.join(',')}}`]);
    await sql(tx, `drop table ${table}`);
  });
  return { partition: name, rows: Number(scan?.n ?? 0), kept: kept.length };
}

/**
 * Deletes the DEFAULT partition's rows past the cutoff that are not still needed, in batches,
 * through sync_events itself: its statement triggers (the analytics rollups) fire only for
 * statements on it, not on a partition named directly.
 */
async function pruneDefaultPartition(em: EntityManager, cutoff: string, batch: number): Promise<number> {
  let removed = 0;
  for (;;) {
    const [gone] = await sql<{ n: string }>(
      em,
      `with gone as (
         delete from sync_events d
          using (select e.id, e.created_at from ${DEFAULT_PARTITION} e where e.created_at < ? and not coalesce(${STILL_NEEDED.text}, false) limit ?) old
          where d.id = old.id and d.created_at = old.created_at
         returning 1)
       select count(*) as n from gone`,
      [cutoff, ...STILL_NEEDED.params, batch],
    );
    const n = Number(gone?.n ?? 0);
    removed += n;
    if (n < batch) return removed;
  }
}

/**
 * Keeps sync_events' partitions in shape: the months ahead made, the months past the retention
 * dropped whole (rows live at least `retentionDays`, at most a month more), the DEFAULT partition
 * pruned to the same cutoff. Rows the sync still reads survive all of it (STILL_NEEDED).
 */
export async function maintainSyncEventPartitions(em: EntityManager, opts: PartitionOptions): Promise<PartitionMaintenance> {
  const created = await ensureSyncEventPartitions(em, opts.ahead, opts.now);
  const cutoff = await retentionCutoff(em, opts.retentionDays, opts.now);
  const expired = await expiredPartitions(em, cutoff);
  const columns = expired.length > 0 ? await columnList(em) : '';
  const dropped: DroppedPartition[] = [];
  for (const name of expired) dropped.push(await dropPartition(em, name, columns));
  const defaultRemoved = await pruneDefaultPartition(em, cutoff, opts.batch ?? 10_000);
  return { created, dropped, defaultRemoved };
}
