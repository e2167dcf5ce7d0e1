import type { EntityManager } from '@mikro-orm/postgresql';
import type { Address } from '../contact-fields';
import { sameField, sameState, stateHash, SYNCED_FIELDS, syncedState, type SyncedState } from '../customer-rules';
import { updatedEnvelopeSql } from '../outbox';
import { bound } from '../sql';
import { syncedColumns, type MappingTarget } from '../sync/mappings';
import { representable } from './apply-external-change';
import { inboundAuditPayload, type InboundAuditMeta } from './audit';
import type { ExternalChange, InboundOutcome } from './types';
import { WAVE_PLANS } from './wave-plans';

/** One external update of a batch, with what its audit row says about it. */
export interface BatchChange {
  change: ExternalChange;
  audit: InboundAuditMeta;
}

interface LockedRow {
  ord: number;
  mapping_id: number;
  last_source_ts: string | null;
  last_synced_hash: string | null;
  customer_id: number;
  name: string;
  email: string;
  phone: string | null;
  address: Address | null;
  deleted_at: Date | null;
  seen: boolean;
  email_taken: boolean;
}

/**
 * Mapping and customer of every record of the batch, locked (in customer id order, so two
 * batches cannot deadlock each other), whether the event was applied before, and whether another
 * live customer holds the email the event brings.
 */
const LOCK_SQL = `
  with input as (select * from jsonb_to_recordset(?::jsonb) as t(ord int, external_id text, event_id text, email text))
  select i.ord, m.id as mapping_id, m.last_source_ts, m.last_synced_hash, c.id as customer_id, c.name, c.email, c.phone, c.address, c.deleted_at,
         exists (select 1 from processed_events p where p.external_system = ? and p.event_id = i.event_id offset 0) as seen,
         exists (select 1 from customers o where o.email = i.email and o.deleted_at is null and o.id <> c.id offset 0) as email_taken
    from input i
   -- Per-record index probes whatever the statistics say (an OFFSET keeps a subquery from being
   -- turned into a join, and an EXISTS from being hashed: without it the dedupe check read every
   -- processed event of the system for each wave, 24,000 rows for a wave of 40 in the webhook
   -- benchmark, 16 ms against 1.4 ms probing; see absent() in import-batch.ts).
   cross join lateral (
     select m.id, m.internal_id, m.last_source_ts, m.last_synced_hash from external_mappings m
      where m.external_system = ? and m.external_object_type = ? and m.external_id = i.external_id and m.entity_type = 'customer' offset 0
   ) m
   cross join lateral (select c.id, c.name, c.email, c.phone, c.address, c.deleted_at from customers c where c.id = m.internal_id offset 0) c
   order by c.id
     for update of m, c`;

/**
 * Everything the batch decided, in one statement: customers updated (version + 1) with their
 * outbox rows (origin = the system), mappings moved forward, events marked applied, audit rows.
 */
const APPLY_SQL = `
  with input as materialized (
    select * from jsonb_to_recordset(?::jsonb)
      as t(customer_id int, mapping_id int, action text, name text, email text, phone text, address jsonb, hash text, state jsonb, source_ts bigint,
           event_id text, event_type text, trace text, audit_trace text, audit jsonb, retry int)
  ), upd as (
    -- Milliseconds, as a change made through the entity has: the envelope's occurred_at is that time.
    update customers c set name = i.name, email = i.email, phone = i.phone, address = i.address, version = c.version + 1, updated_at = date_trunc('milliseconds', now())
      from input i
     where i.action = 'update' and c.id = i.customer_id
    returning c.id, c.name, c.email, c.phone, c.address, c.version, c.updated_at, i.trace
  ), o as (
    insert into outbox (aggregate_id, event_type, origin, envelope)
    select upd.id, 'customer.updated', ?::text, ${updatedEnvelopeSql('upd', '?::text', 'upd.trace')} from upd
  ), m as (
    update external_mappings m set last_synced_hash = i.hash, last_synced_state = i.state, last_synced_at = now(),
           last_source_ts = greatest(coalesce(m.last_source_ts, 0), i.source_ts)
      from input i where m.id = i.mapping_id
  ), p as (
    insert into processed_events (external_system, event_id) select ?, event_id from input
  ), s as (
    insert into sync_events (event_id, event_type, entity_type, entity_id, external_system, status, payload, retry_count, processed_at, direction, trace_id, actor, source_at)
    select gen_random_uuid(), left(event_type, 50), 'customer', customer_id, ?, case action when 'update' then 'success' else 'skipped' end,
           audit, retry, now(), 'inbound', audit_trace, ?, to_timestamp(source_ts)
      from input
  )
  select count(*)::int as updated from upd`;

type Decision = { action: 'update' | 'equal'; row: LockedRow; fields: SyncedState };

/**
 * The common case of a stream of external updates — a linked, live customer, an event newer than
 * any applied for that record, no change of ours waiting to be sent — applied for a whole batch
 * in three statements instead of ~10 per event, inside the caller's transaction. The outcome is
 * what applyExternalChange decides for such an event (tested side by side), and everything else
 * (duplicates, same-second ties, stale or first events, deletes, links, conflicts, an email
 * another customer holds, our own change pending) is left out: the caller applies those one by
 * one through applyExternalChange. The batch must hold at most one event per record.
 * Returns the outcome of each change it applied, by its index in `batch`.
 */
export async function applyUpdateBatch(em: EntityManager, target: MappingTarget, batch: BatchChange[]): Promise<Map<number, InboundOutcome>> {
  const { system, objectType } = target;
  const candidates = batch
    .map((item, ord) => ({ item, ord, fields: item.change.state && !item.change.state.deleted ? representable(item.change.state) : null }))
    .filter((c) => c.item.change.kind === 'updated' && !c.item.change.keepOurs?.length && !c.item.change.partial && c.item.change.system === system && c.item.change.objectType === objectType && c.fields !== null);
  if (new Set(candidates.map((c) => c.item.change.externalId)).size !== candidates.length) throw new Error('applyUpdateBatch: one event per record per batch');
  if (candidates.length === 0) return new Map();

  const input = candidates.map((c) => ({ ord: c.ord, external_id: c.item.change.externalId, event_id: c.item.change.eventId, email: c.fields!.email }));
  const rows = await bound<LockedRow>(em, LOCK_SQL, [JSON.stringify(input), system, system, objectType], WAVE_PLANS);
  const decisions = new Map<number, Decision>();
  const byOrd = new Map(candidates.map((c) => [c.ord, c]));
  for (const row of rows) {
    const candidate = byOrd.get(row.ord);
    const action = candidate && decide(candidate.item.change, row, candidate.fields!);
    if (action) decisions.set(row.ord, { action, row, fields: candidate.fields! });
  }
  leaveEmailClashes(decisions);
  if (decisions.size === 0) return new Map();

  const apply = [...decisions].map(([ord, d]) => {
    const { change, audit } = batch[ord]!;
    const outcome = outcomeOf(d);
    const [hash, state] = syncedColumns(d.fields);
    return {
      customer_id: d.row.customer_id,
      mapping_id: d.row.mapping_id,
      action: d.action,
      ...d.fields,
      hash,
      state: JSON.parse(state!) as unknown,
      source_ts: change.sourceTs,
      event_id: change.eventId,
      event_type: audit.eventType,
      trace: change.traceId ?? change.eventId,
      audit_trace: audit.traceId,
      audit: inboundAuditPayload(audit, outcome),
      retry: audit.retryCount ?? 0,
    };
  });
  await bound(em, APPLY_SQL, [JSON.stringify(apply), system, system, system, system, system], WAVE_PLANS);
  return new Map([...decisions].map(([ord, d]) => [ord, outcomeOf(d)]));
}

/**
 * applyExternalChange's rules for a linked record, in the cases that need no further lookup;
 * null for everything else.
 */
function decide(change: ExternalChange, row: LockedRow, theirs: SyncedState): 'update' | 'equal' | null {
  if (row.seen || row.deleted_at) return null;
  // Stale, or the same second as the last applied (the one-by-one path asks the source then).
  if (row.last_source_ts !== null && change.sourceTs <= Number(row.last_source_ts)) return null;
  const ours = syncedState(row);
  if (sameState(ours, theirs)) return 'equal';
  // A change of ours the system has not confirmed yet: who wins is decided one by one.
  if (row.last_synced_hash !== null && row.last_synced_hash !== stateHash(ours)) return null;
  // The event differs from ours in a field it does not name as changed (an older snapshot): merged one by one.
  if (change.changedFields && SYNCED_FIELDS.some((f) => !change.changedFields!.includes(f) && !sameField(f, ours, theirs))) return null;
  return 'update';
}

/**
 * An update to an email another live customer holds (the unique index, or a conflict to park),
 * or that two events of the wave both bring, goes one by one.
 */
function leaveEmailClashes(decisions: Map<number, Decision>): void {
  const moving = [...decisions].filter(([, d]) => d.action === 'update' && d.fields.email !== d.row.email);
  const wanted = new Map<string, number>();
  for (const [, d] of moving) wanted.set(d.fields.email, (wanted.get(d.fields.email) ?? 0) + 1);
  for (const [ord, d] of moving) {
    if (d.row.email_taken || wanted.get(d.fields.email)! > 1) decisions.delete(ord);
  }
}

function outcomeOf(d: Decision): InboundOutcome {
  return d.action === 'update'
    ? { status: 'success', action: 'updated', customerId: d.row.customer_id }
    : { status: 'skipped', reason: 'already equal (echo)', customerId: d.row.customer_id };
}
