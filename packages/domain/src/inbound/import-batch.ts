import type { EntityManager } from '@mikro-orm/postgresql';
import { createdEnvelopeSql, updatedEnvelopeSql } from '../outbox';
import { sql } from '../sql';
import { syncedColumns, type MappingTarget } from '../sync/mappings';
import { representable } from './apply-external-change';
import type { ExternalState } from './types';

/** One external record of an import page, with the event id its application is deduped by. */
export interface ImportRecord {
  externalId: string;
  eventId: string;
  state: ExternalState;
}

/**
 * Lookups of one row per record, kept as such. During a bulk import the tables grow faster than
 * autovacuum analyses them, and with statistics that say "a few rows" the planner turned NOT
 * EXISTS into anti joins that rescan a materialised copy of the whole index for every record
 * (quadratic: 0.3 → 2 s a batch as 100,000 went in, 19 s → 72 s in all). A subquery with an
 * OFFSET is never turned into a join, so each stays a probe of its unique index per record.
 */
const absent = (query: string) => `not exists (${query} offset 0)`;

/**
 * One statement for the common case of an initial import: records that match nothing of ours
 * (no mapping, no customer named by their internal id, no live customer with their email).
 * Those become customers, mappings, outbox rows (origin = the system) and audit rows together —
 * exactly what applyExternalChange does for them, in one round trip instead of ~8 per record.
 * Everything else (links, conflicts, records already imported) is left out of the statement;
 * the caller applies those one by one through applyExternalChange. A concurrent writer that
 * takes one of the emails or ids first makes the statement fail on a unique index (nothing is
 * written); the caller then falls back to the one-by-one path for the whole page.
 */
const IMPORT_NEW_SQL = `
  with input as (
    select * from jsonb_to_recordset({input}::jsonb) as t(ord int, external_id text, event_id text, name text, email text, phone text, address jsonb, internal_id int, hash text, state jsonb)
  ), made as materialized (
    -- Our ids are drawn here, once per row (materialized), so that every insert below reads its
    -- row from this one list: joining the inserts' RETURNING lists back together instead made
    -- the planner, which cannot estimate them, pick nested loops (quadratic in the batch size).
    select nextval('customers_id_seq')::int as id, i.name, i.email, i.phone, i.address, now() as updated_at, i.external_id, i.event_id, i.hash, i.state
      from input i
     where ${absent(`select 1 from external_mappings m where m.external_system = {system} and m.external_object_type = {object} and m.entity_type = 'customer' and m.external_id = i.external_id`)}
       and (i.internal_id is null or ${absent('select 1 from customers c where c.id = i.internal_id')})
       and ${absent('select 1 from customers c where c.email = i.email and c.deleted_at is null')}
       and ${absent('select 1 from processed_events p where p.external_system = {system} and p.event_id = i.event_id')}
     order by i.ord
  ), c as (
    insert into customers (id, name, email, phone, address, version, created_at, updated_at)
    select id, name, email, phone, address, 1, updated_at, updated_at from made
  ), p as (
    insert into processed_events (external_system, event_id) select {system}, event_id from made
  ), m as (
    insert into external_mappings (entity_type, internal_id, external_system, external_object_type, external_id, last_synced_hash, last_synced_state, last_synced_at, last_source_ts)
    select 'customer', id, {system}, {object}, external_id, hash, state, now(), {ts}::bigint from made
  ), o as (
    insert into outbox (aggregate_id, event_type, origin, envelope)
    select made.id, 'customer.created', {system}, ${createdEnvelopeSql('made', '{system}::text', '{trace}::text')} from made
  ), s as (
    insert into sync_events (event_id, event_type, entity_type, entity_id, external_system, status, payload, processed_at, direction, trace_id, actor)
    select gen_random_uuid(), 'customer.created', 'customer', id, {system}, 'success',
           jsonb_build_object('event_id', event_id, 'external_id', external_id, 'via', 'backfill', 'action', 'created'), now(), 'inbound', {trace}, {system}
      from made
  )
  select id, external_id from made`;

/**
 * Records already linked to a live customer that holds the same fields: only the mapping's
 * "what they hold" and source time move forward (what applyExternalChange does for an echo).
 * A re-run over a synced catalog is then one statement per page, not eight per record; no audit
 * row is written for them — re-reading a record that matches is not a sync attempt.
 */
const IMPORT_UNCHANGED_SQL = `
  with input as (
    select * from jsonb_to_recordset({input}::jsonb) as t(ord int, external_id text, event_id text, name text, email text, phone text, address jsonb, internal_id int, hash text, state jsonb)
  ), same as (
    -- Lateral lookups with an OFFSET, for the reason given at absent() above.
    select m.id, i.hash, i.state from input i
      cross join lateral (
        select m.id, m.internal_id, m.last_source_ts from external_mappings m
         where m.external_system = {system} and m.external_object_type = {object} and m.entity_type = 'customer' and m.external_id = i.external_id offset 0
      ) m
     where coalesce(m.last_source_ts, 0) <= {ts}::bigint
       and exists (select 1 from customers c where c.id = m.internal_id and c.deleted_at is null and c.name = i.name and c.email = i.email
                      and c.phone is not distinct from i.phone and c.address is not distinct from i.address offset 0)
  )
  update external_mappings m set last_synced_hash = same.hash, last_synced_state = same.state, last_synced_at = now(), last_source_ts = {ts}::bigint
    from same where m.id = same.id
  returning m.external_id`;

/**
 * Records that link by email: no mapping, no customer named by their internal id, and a live
 * customer of ours with their email that is linked to no record of this system. Each gets its
 * mapping (what they hold, as of this import), its dedupe and audit rows, and — when our name,
 * phone or address differs — an outbox row with origin internal so that they receive ours: what link() does for
 * such a record one by one. The common first sync of a company that already has its customers
 * on both sides.
 */
const IMPORT_LINK_SQL = `
  with input as (
    select * from jsonb_to_recordset({input}::jsonb) as t(ord int, external_id text, event_id text, name text, email text, phone text, address jsonb, internal_id int, hash text, state jsonb)
  ), linkable as materialized (
    -- One index lookup per record (a lateral subquery with a limit is never turned into a join;
    -- see absent() above).
    select c.id, c.name, c.email, c.phone, c.address, c.version, c.updated_at, i.external_id, i.event_id, i.hash, i.state,
           (c.name <> i.name or c.phone is distinct from i.phone or c.address is distinct from i.address) as differs
      from input i
     cross join lateral (
       select c.* from customers c
        where c.email = i.email and c.deleted_at is null
          and ${absent(`select 1 from external_mappings m where m.external_system = {system} and m.external_object_type = {object} and m.entity_type = 'customer' and m.internal_id = c.id`)}
        limit 1
          for update
     ) c
     where ${absent(`select 1 from external_mappings m where m.external_system = {system} and m.external_object_type = {object} and m.entity_type = 'customer' and m.external_id = i.external_id`)}
       and (i.internal_id is null or ${absent('select 1 from customers x where x.id = i.internal_id')})
       and ${absent('select 1 from processed_events p where p.external_system = {system} and p.event_id = i.event_id')}
  ), m as (
    insert into external_mappings (entity_type, internal_id, external_system, external_object_type, external_id, last_synced_hash, last_synced_state, last_synced_at, last_source_ts)
    select 'customer', id, {system}, {object}, external_id, hash, state, now(), {ts}::bigint from linkable
  ), p as (
    insert into processed_events (external_system, event_id) select {system}, event_id from linkable
  ), o as (
    insert into outbox (aggregate_id, event_type, origin, envelope)
    select id, 'customer.updated', 'internal', ${updatedEnvelopeSql('linkable', "'internal'", '{trace}::text', "':relink:' || linkable.event_id")}
      from linkable where differs
  ), s as (
    insert into sync_events (event_id, event_type, entity_type, entity_id, external_system, status, payload, processed_at, direction, trace_id, actor)
    select gen_random_uuid(), 'customer.created', 'customer', id, {system}, 'success',
           jsonb_build_object('event_id', event_id, 'external_id', external_id, 'via', 'backfill', 'action', 'linked', 'detail', 'same email'), now(), 'inbound', {trace}, {system}
      from linkable
  )
  select id, external_id from linkable`;

type ParamName = 'input' | 'system' | 'object' | 'ts' | 'trace';

/** `{name}` tokens become `?` placeholders in order, so one value can be used several times. */
function compile(textWithTokens: string) {
  const order: ParamName[] = [];
  const text = textWithTokens.replace(/\{(\w+)\}/g, (_, name: ParamName) => {
    order.push(name);
    return '?';
  });
  return { text, order, run: <T>(em: EntityManager, values: Record<ParamName, unknown>) => sql<T>(em, text, order.map((n) => values[n])) };
}
const NEW = compile(IMPORT_NEW_SQL);
const UNCHANGED = compile(IMPORT_UNCHANGED_SQL);
const LINK = compile(IMPORT_LINK_SQL);

export interface BatchResult {
  /** External id → our new customer id. */
  created: Map<string, number>;
  /** External ids already linked and equal: nothing to do but note it. */
  unchanged: Set<string>;
  /** External id → our customer it was linked to by email. */
  linked: Map<string, number>;
}

/**
 * Applies, in the caller's transaction, the records of `records` that need no decision: new ones
 * (created), ones that link to ours by email (linked) and linked ones equal to ours (unchanged).
 * The rest is the caller's to apply.
 */
export async function importBatch(
  em: EntityManager,
  target: MappingTarget,
  records: ImportRecord[],
  ctx: { sourceTs: number; traceId: string },
): Promise<BatchResult> {
  const seen = new Map<string, number>();
  const rows: Array<{ email: string } & Record<string, unknown>> = [];
  records.forEach((r, ord) => {
    const fields = representable(r.state);
    if (!fields || r.state.deleted) return;
    // Two records of one batch with one email: the second is a conflict, which only the
    // one-by-one path can tell apart from a link — leave both to it.
    seen.set(fields.email, (seen.get(fields.email) ?? 0) + 1);
    const [hash, state] = syncedColumns(fields);
    rows.push({ ord, external_id: r.externalId, event_id: r.eventId, ...fields, internal_id: r.state.internalId, hash, state: JSON.parse(state!) as unknown });
  });
  const unique = rows.filter((row) => seen.get(row.email) === 1);
  if (unique.length === 0) return { created: new Map(), unchanged: new Set(), linked: new Map() };
  const values: Record<ParamName, unknown> = { input: JSON.stringify(unique), system: target.system, object: target.objectType, ts: ctx.sourceTs, trace: ctx.traceId };
  // Every lookup here is a point lookup on a unique index. During a bulk import the tables grow
  // faster than autovacuum analyses them, and with statistics that say "empty" the planner chose
  // sequential scans inside nested loops: 1–4 s a batch at 50,000 customers instead of ~0.2 s.
  // For this transaction only, scans are taken off the table.
  await sql(em, 'set local enable_seqscan = off');
  const same = await UNCHANGED.run<{ external_id: string }>(em, values);
  const linked = await LINK.run<{ id: number; external_id: string }>(em, values);
  const made = await NEW.run<{ id: number; external_id: string }>(em, values);
  return {
    created: new Map(made.map((r) => [r.external_id, Number(r.id)])),
    unchanged: new Set(same.map((r) => r.external_id)),
    linked: new Map(linked.map((r) => [r.external_id, Number(r.id)])),
  };
}
