import { Migration } from '@mikro-orm/migrations';

const WIDTHS = [60, 300, 900, 3600, 21600, 86400];
const FAILED = `'failed', 'retrying', 'parked', 'conflict'`;

/**
 * What the console asks every few seconds, kept instead of counted (issue 18: p99 ≤ 50 ms at
 * 10 million sync_events rows):
 *
 * - `sync_event_rollups`: sync_events' outcomes per system × catalog × direction in periods of 1,
 *   5, 15 minutes, 1 and 6 hours and 1 day (UTC-aligned), with the time-to-sync as a histogram
 *   (`sync_latency_bucket`: whole ms below 64 ms, then buckets 2 % wide; each holds its count and
 *   the sum of its values) and the failures by code. GET /sync/analytics reads a day from about a
 *   hundred of these rows instead of a hundred thousand sync_events rows.
 * - `row_counts`: live customers and the mappings per system, for GET /sync/summary.
 * - `sync_events_hour_idx` (the UTC hour, id): the newest rows of a time window by id are the
 *   newest of each of its hours, an index descent per hour, instead of sorting the whole window
 *   (`listSyncEvents`; ids and times rise together only roughly, so neither index alone orders
 *   a window by id).
 *
 * Both are kept by statement-level triggers that only INSERT into a deltas table (one row per
 * statement and minute and series): writers never wait on one another for a shared counter row,
 * and a delta commits or rolls back with the rows it counts. The inbound worker folds the deltas
 * in (`compactRollups`, a few seconds apart); readers add what is not folded yet, in the same
 * statement, so an answer is always exact. Deletes and updates count back out; TRUNCATE empties
 * them. Writing to a partition of sync_events by name (rather than to sync_events) is not seen.
 *
 * The upgrade counts what is there, inside this migration's transaction, after the triggers are
 * made (they lock out writers until it commits): existing sync_events become deltas, which the
 * first folds turn into rollups.
 */
export class Migration20261210000000_sync_rollups extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create function sync_latency_bucket(ms double precision) returns int language sql immutable parallel safe as $$
        select case when ms is null then null
                    when round(greatest(ms, 0)) < 64 then round(greatest(ms, 0))::int
                    else 64 + floor(ln(round(ms) / 64) / ln(1.02))::int end
      $$;`);
    // Two maps of counts ({"code": n}) or of [count, sum] pairs ({"bucket": [n, sum_ms]}) added key by key (a fold into an
    // existing rollup row); keys that reach 0 go.
    this.addSql(`
      create function sync_rollup_merge(a jsonb, b jsonb) returns jsonb language sql immutable parallel safe as $$
        select coalesce(jsonb_object_agg(k, case when counts then to_jsonb(n) else jsonb_build_array(n, total) end), '{}'::jsonb) from (
          select k, bool_and(jsonb_typeof(v) = 'number') as counts,
                 sum(case when jsonb_typeof(v) = 'number' then v::text::numeric else (v->>0)::numeric end) as n,
                 sum(case when jsonb_typeof(v) = 'array' then (v->>1)::numeric end) as total
            from (select * from jsonb_each(coalesce(a, '{}')) union all select * from jsonb_each(coalesce(b, '{}'))) t(k, v)
           group by k) s
         where n <> 0
      $$;`);

    this.addSql(`
      create table sync_event_rollups (
        width int not null check (width in (${WIDTHS.join(', ')})),
        start timestamptz not null,
        system text not null,
        catalog text not null,
        direction text not null,
        syncs bigint not null,
        success bigint not null,
        failed bigint not null,
        skipped bigint not null,
        latency jsonb not null default '{}',
        errors jsonb not null default '{}',
        primary key (width, start, system, catalog, direction)
      );`);
    this.addSql(`
      create table sync_event_rollup_deltas (
        id bigserial primary key,
        minute timestamptz not null,
        system text not null,
        catalog text not null,
        direction text not null,
        syncs bigint not null,
        success bigint not null,
        failed bigint not null,
        skipped bigint not null,
        latency jsonb not null default '{}',
        errors jsonb not null default '{}'
      );`);
    this.addSql(`create index sync_event_rollup_deltas_minute_idx on sync_event_rollup_deltas (minute);`);

    // The one definition of sync_events rows' contribution, per minute and series, signed: what a
    // row says (sync_rollup_input), then rows summed (sync_rollup_rows). Used by the triggers, the
    // upgrade and the readers (the edges of a window). PL/pgSQL rather than SQL so that its plan is
    // made once per session: a trigger on every insert cannot afford planning this each time.
    // '' stands for a null system or direction (a key column cannot be null).
    this.addSql(`
      create type sync_rollup_input as (minute timestamptz, system text, catalog text, direction text, status text, code text, ms double precision);`);
    this.addSql(`
      create function sync_rollup_input(e sync_events) returns sync_rollup_input language sql immutable parallel safe as $$
        select row(date_trunc('minute', e.created_at), coalesce(e.external_system, ''), e.entity_type, coalesce(e.direction, ''), e.status,
                   case when e.status in (${FAILED}) then coalesce(e.payload->>'code', e.status) end,
                   case when e.status = 'success' and e.source_at is not null and e.processed_at is not null
                        then greatest(0, extract(epoch from e.processed_at - e.source_at) * 1000)::double precision end)::sync_rollup_input
      $$;`);
    this.addSql(`
      create function sync_rollup_rows(rows sync_rollup_input[], sign int)
        returns table (minute timestamptz, system text, catalog text, direction text, syncs bigint, success bigint, failed bigint, skipped bigint, latency jsonb, errors jsonb)
        language plpgsql stable as $$
      begin
        return query
        with e as (select r.*, sync_latency_bucket(r.ms) as lb from unnest(rows) r where r.status <> 'pending'),
        c as (
          select e.minute, e.system, e.catalog, e.direction, count(*) as syncs, count(*) filter (where e.status = 'success') as success,
                 count(*) filter (where e.status in (${FAILED})) as failed, count(*) filter (where e.status = 'skipped') as skipped
            from e group by 1, 2, 3, 4),
        l as (
          select x.minute, x.system, x.catalog, x.direction, jsonb_object_agg(x.lb::text, jsonb_build_array(sign * x.n, sign * x.s)) as latency
            from (select e.minute, e.system, e.catalog, e.direction, e.lb, count(*) as n, round(sum(e.ms)::numeric, 3) as s
                    from e where e.lb is not null group by 1, 2, 3, 4, 5) x
           group by 1, 2, 3, 4),
        r as (
          select x.minute, x.system, x.catalog, x.direction, jsonb_object_agg(x.code, sign * x.n) as errors
            from (select e.minute, e.system, e.catalog, e.direction, e.code, count(*) as n from e where e.code is not null group by 1, 2, 3, 4, 5) x
           group by 1, 2, 3, 4)
        select c.minute, c.system, c.catalog, c.direction, sign * c.syncs, sign * c.success, sign * c.failed, sign * c.skipped,
               coalesce(l.latency, '{}'::jsonb), coalesce(r.errors, '{}'::jsonb)
          from c left join l on (l.minute, l.system, l.catalog, l.direction) = (c.minute, c.system, c.catalog, c.direction)
                 left join r on (r.minute, r.system, r.catalog, r.direction) = (c.minute, c.system, c.catalog, c.direction);
      end $$;`);
    const deltaColumns = 'minute, system, catalog, direction, syncs, success, failed, skipped, latency, errors';
    this.addSql(`
      create function sync_events_rollup_delta() returns trigger language plpgsql as $$
      begin
        if tg_op in ('INSERT', 'UPDATE') then
          insert into sync_event_rollup_deltas (${deltaColumns})
          select * from sync_rollup_rows(array(select sync_rollup_input(a) from added a), 1);
        end if;
        if tg_op in ('DELETE', 'UPDATE') then
          insert into sync_event_rollup_deltas (${deltaColumns})
          select * from sync_rollup_rows(array(select sync_rollup_input(a) from removed a), -1);
        end if;
        return null;
      end $$;`);
    this.addSql(`
      create function sync_events_rollup_reset() returns trigger language plpgsql as $$
      begin
        delete from sync_event_rollup_deltas;
        delete from sync_event_rollups;
        return null;
      end $$;`);
    this.addSql(`create trigger sync_events_rollup_insert after insert on sync_events referencing new table as added for each statement execute function sync_events_rollup_delta();`);
    this.addSql(`create trigger sync_events_rollup_update after update on sync_events referencing old table as removed new table as added for each statement execute function sync_events_rollup_delta();`);
    this.addSql(`create trigger sync_events_rollup_delete after delete on sync_events referencing old table as removed for each statement execute function sync_events_rollup_delta();`);
    this.addSql(`create trigger sync_events_rollup_truncate after truncate on sync_events for each statement execute function sync_events_rollup_reset();`);

    this.addSql(`create index sync_events_hour_idx on sync_events (date_bin('1 hour', created_at, '2000-01-01 00:00:00+00'), id);`);

    // Counters: 'customers:live' and 'external_mappings:<system>'.
    this.addSql(`create table row_counts (name text primary key, n bigint not null);`);
    this.addSql(`create table row_count_deltas (id bigserial primary key, name text not null, n bigint not null);`);
    this.addSql(`
      create function customers_count_delta() returns trigger language plpgsql as $$
      declare n bigint := 0;
      begin
        if tg_op in ('INSERT', 'UPDATE') then n := n + (select count(*) from added where deleted_at is null); end if;
        if tg_op in ('DELETE', 'UPDATE') then n := n - (select count(*) from removed where deleted_at is null); end if;
        if n <> 0 then insert into row_count_deltas (name, n) values ('customers:live', n); end if;
        return null;
      end $$;`);
    this.addSql(`
      create function external_mappings_count_delta() returns trigger language plpgsql as $$
      begin
        if tg_op in ('INSERT', 'UPDATE') then
          insert into row_count_deltas (name, n) select 'external_mappings:' || external_system, count(*) from added group by external_system;
        end if;
        if tg_op in ('DELETE', 'UPDATE') then
          insert into row_count_deltas (name, n) select 'external_mappings:' || external_system, -count(*) from removed group by external_system;
        end if;
        return null;
      end $$;`);
    this.addSql(`
      create function row_counts_reset() returns trigger language plpgsql as $$
      begin
        delete from row_count_deltas where name like tg_argv[0];
        delete from row_counts where name like tg_argv[0];
        return null;
      end $$;`);
    for (const [table, fn, prefix] of [
      ['customers', 'customers_count_delta', 'customers:%'],
      ['external_mappings', 'external_mappings_count_delta', 'external_mappings:%'],
    ] as const) {
      this.addSql(`create trigger ${table}_count_insert after insert on ${table} referencing new table as added for each statement execute function ${fn}();`);
      this.addSql(`create trigger ${table}_count_update after update on ${table} referencing old table as removed new table as added for each statement execute function ${fn}();`);
      this.addSql(`create trigger ${table}_count_delete after delete on ${table} referencing old table as removed for each statement execute function ${fn}();`);
      this.addSql(`create trigger ${table}_count_truncate after truncate on ${table} for each statement execute function row_counts_reset('${prefix}');`);
    }

    // What is there already (the triggers above hold writers off until this commits).
    this.addSql(`insert into row_counts (name, n) select 'customers:live', count(*) from customers where deleted_at is null;`);
    this.addSql(`insert into row_counts (name, n) select 'external_mappings:' || external_system, count(*) from external_mappings group by external_system;`);
    // A day at a time: the rows of a day go through one array.
    this.addSql(`
      do $$
      declare day timestamptz;
      begin
        for day in select generate_series(date_trunc('day', min(created_at)), max(created_at), interval '1 day') from sync_events loop
          insert into sync_event_rollup_deltas (${deltaColumns})
          select * from sync_rollup_rows(array(select sync_rollup_input(e) from sync_events e where e.created_at >= day and e.created_at < day + interval '1 day'), 1);
        end loop;
      end $$;`);
  }

  override async down(): Promise<void> {
    for (const table of ['customers', 'external_mappings']) {
      for (const op of ['insert', 'update', 'delete', 'truncate']) this.addSql(`drop trigger ${table}_count_${op} on ${table};`);
    }
    for (const op of ['insert', 'update', 'delete', 'truncate']) this.addSql(`drop trigger sync_events_rollup_${op} on sync_events;`);
    this.addSql(`drop index sync_events_hour_idx;`);
    this.addSql(`drop function row_counts_reset(), external_mappings_count_delta(), customers_count_delta(), sync_events_rollup_reset(), sync_events_rollup_delta();`);
    this.addSql(`drop table row_count_deltas, row_counts, sync_event_rollup_deltas, sync_event_rollups;`);
    this.addSql(`drop function sync_rollup_rows(sync_rollup_input[], int), sync_rollup_input(sync_events);`);
    this.addSql(`drop type sync_rollup_input;`);
    this.addSql(`drop function sync_rollup_merge(jsonb, jsonb), sync_latency_bucket(double precision);`);
  }
}
