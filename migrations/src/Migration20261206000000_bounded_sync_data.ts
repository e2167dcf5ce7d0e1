import { Migration } from '@mikro-orm/migrations';

/**
 * The two tables that grew without end get bounded (docs/operations.md, "Data retention"):
 * - `sync_events` becomes a table partitioned by month on `created_at` (declarative range
 *   partitioning): one partition per month holding rows, a DEFAULT partition so that no insert
 *   ever fails for want of a month, and `sync_events_add_partition(month)`, which the retention
 *   job calls to make the months ahead (moving any rows of that month out of the DEFAULT one
 *   first, else attaching it would fail). Whole months past the retention are then dropped.
 * - `processed_events` gets an index on `processed_at`, so the job's batched deletes of ids past
 *   the dedupe window find them without reading the table.
 * - `external_mappings` gets one on `external_system`, for the console's count of links per system.
 *
 * The upgrade keeps every row: the old table is renamed, the new one is made from it with
 * `LIKE … INCLUDING ALL EXCLUDING INDEXES` (every column as the database has it — so a column
 * another migration added, such as a nullable `actor`, comes along whether or not it exists — with
 * its defaults, the id sequence among them), its rows are copied with `select *` (same columns,
 * same order), and the old table is dropped. Rows older than twelve months go to the DEFAULT
 * partition rather than into a partition each: the retention job deletes them there.
 *
 * A key of a partitioned table must hold the partition key: the primary key is (id, created_at)
 * and event_id's unique constraint (event_id, created_at). Ids still come from the one sequence,
 * so every query by id (the keyset pages, "latest is the highest id") reads as before. The
 * per-record index is on id instead of created_at: the status view and the audit pages order by
 * id. `(status, id)` for the statuses other than success serves a listing filtered by a rare
 * status without reading every success row, and `(created_at, id)` a short time window read by
 * time (`listSyncEvents`), index only (bench/retention.bench.ts).
 *
 * The copy takes as long as the table is big (bench/retention.bench.ts times it): the table is
 * locked for it, and the ORM's statement timeout does not apply to this migration.
 */
export class Migration20261206000000_bounded_sync_data extends Migration {
  override async up(): Promise<void> {
    this.addSql(`set local statement_timeout = 0;`);
    this.addSql(`lock table sync_events in access exclusive mode;`);
    this.addSql(`alter table sync_events rename to sync_events_unpartitioned;`);
    this.addSql(`create table sync_events (like sync_events_unpartitioned including all excluding indexes) partition by range (created_at);`);
    this.addSql(`create table sync_events_default partition of sync_events default;`);
    this.addSql(`
      create function sync_events_add_partition(month date) returns text language plpgsql as $$
      declare
        lo timestamptz := date_trunc('month', month::timestamp) at time zone 'UTC';
        hi timestamptz := (date_trunc('month', month::timestamp) + interval '1 month') at time zone 'UTC';
        name text := 'sync_events_' || to_char(date_trunc('month', month::timestamp), 'YYYY_MM');
      begin
        if to_regclass(name) is not null then return null; end if;
        execute format('create table %I (like sync_events including all excluding indexes)', name);
        execute format('with moved as (delete from sync_events_default where created_at >= %L and created_at < %L returning *) insert into %I select * from moved', lo, hi, name);
        execute format('alter table sync_events attach partition %I for values from (%L) to (%L)', name, lo, hi);
        return name;
      end $$;`);
    // Every month with rows (up to a year back), and this month and the next two.
    this.addSql(`
      select sync_events_add_partition(m::date)
        from generate_series(
               greatest(date_trunc('month', coalesce((select min(created_at) from sync_events_unpartitioned), now()) at time zone 'UTC'),
                        date_trunc('month', now() at time zone 'UTC') - interval '12 months'),
               date_trunc('month', now() at time zone 'UTC') + interval '2 months',
               interval '1 month') as m;`);
    this.addSql(`insert into sync_events select * from sync_events_unpartitioned;`);
    this.addSql(`alter sequence sync_events_id_seq owned by sync_events.id;`);
    this.addSql(`drop table sync_events_unpartitioned;`);
    this.addSql(`alter table sync_events add constraint sync_events_pkey primary key (id, created_at);`);
    this.addSql(`alter table sync_events add constraint sync_events_event_id_key unique (event_id, created_at);`);
    this.addSql(`create index sync_events_entity_idx on sync_events (entity_type, entity_id, id);`);
    this.addSql(`create index sync_events_status_idx on sync_events (status, id) where status <> 'success';`);
    this.addSql(`create index sync_events_created_idx on sync_events (created_at, id);`);
    this.addSql(`analyze sync_events;`);

    this.addSql(`create index processed_events_processed_at_idx on processed_events (processed_at);`);
    // The console's live counts (every 3 s) count the links per system: this index, not the whole table.
    this.addSql(`create index external_mappings_system_idx on external_mappings (external_system);`);
  }

  override async down(): Promise<void> {
    this.addSql(`set local statement_timeout = 0;`);
    this.addSql(`drop index external_mappings_system_idx;`);
    this.addSql(`drop index processed_events_processed_at_idx;`);
    this.addSql(`lock table sync_events in access exclusive mode;`);
    this.addSql(`create table sync_events_unpartitioned (like sync_events including all excluding indexes);`);
    this.addSql(`insert into sync_events_unpartitioned select * from sync_events;`);
    this.addSql(`alter sequence sync_events_id_seq owned by sync_events_unpartitioned.id;`);
    this.addSql(`drop table sync_events;`);
    this.addSql(`drop function sync_events_add_partition(date);`);
    this.addSql(`alter table sync_events_unpartitioned rename to sync_events;`);
    this.addSql(`alter table sync_events add constraint sync_events_pkey primary key (id);`);
    this.addSql(`alter table sync_events add constraint sync_events_event_id_key unique (event_id);`);
    this.addSql(`create index sync_events_entity_idx on sync_events (entity_type, entity_id, created_at desc);`);
    this.addSql(`create index sync_events_open_idx on sync_events (status, created_at) where status in ('pending', 'failed', 'retrying', 'parked');`);
    this.addSql(`create index sync_events_created_idx on sync_events (created_at desc);`);
  }
}
