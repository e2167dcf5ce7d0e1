import type { EntityManager } from '@mikro-orm/postgresql';
import { createdEnvelopeSql } from '../outbox';
import { bound } from '../sql';
import { syncedColumns, type MappingTarget } from '../sync/mappings';
import { representable } from './apply-external-change';
import { inboundAuditPayload } from './audit';
import type { InboundOutcome } from './types';
import type { BatchChange } from './update-batch';
import { WAVE_PLANS } from './wave-plans';

/** A unique-index probe per record whatever the statistics say (see absent() in import-batch.ts). */
const absent = (query: string) => `not exists (${query} offset 0)`;

/**
 * Everything applyExternalChange does for a record new to us, for a whole wave in one statement:
 * the customers (our ids drawn once per row, materialized, so every insert reads the same list),
 * their mappings as of each event, the events marked applied, the outbox rows (origin = the
 * system) and the audit rows. A record that matches anything of ours — a mapping, a live customer
 * with its email, an event applied before — is not in `made`, and the caller applies it one by one.
 */
const CREATE_SQL = `
  with input as (
    select * from jsonb_to_recordset(?::jsonb)
      as t(ord int, external_id text, event_id text, name text, email text, phone text, address jsonb, hash text, state jsonb, source_ts bigint,
           event_type text, trace text, audit_trace text, audit jsonb, retry int)
  ), made as materialized (
    select nextval('customers_id_seq')::int as id, i.*, date_trunc('milliseconds', now()) as updated_at
      from input i
     where ${absent(`select 1 from external_mappings m where m.external_system = ? and m.external_object_type = ? and m.entity_type = 'customer' and m.external_id = i.external_id`)}
       and ${absent('select 1 from customers c where c.email = i.email and c.deleted_at is null')}
       and ${absent('select 1 from processed_events p where p.external_system = ? and p.event_id = i.event_id')}
     order by i.ord
  ), c as (
    insert into customers (id, name, email, phone, address, version, created_at, updated_at)
    select id, name, email, phone, address, 1, updated_at, updated_at from made
  ), p as (
    insert into processed_events (external_system, event_id) select ?, event_id from made
  ), m as (
    insert into external_mappings (entity_type, internal_id, external_system, external_object_type, external_id, last_synced_hash, last_synced_state, last_synced_at, last_source_ts)
    select 'customer', id, ?, ?, external_id, hash, state, now(), source_ts from made
  ), o as (
    insert into outbox (aggregate_id, event_type, origin, envelope)
    select made.id, 'customer.created', ?::text, ${createdEnvelopeSql('made', '?::text', 'made.trace')} from made
  ), s as (
    insert into sync_events (event_id, event_type, entity_type, entity_id, external_system, status, payload, retry_count, processed_at, direction, trace_id, actor, source_at)
    select gen_random_uuid(), left(event_type, 50), 'customer', id, ?, 'success', audit, retry, now(), 'inbound', audit_trace, ?, to_timestamp(source_ts)
      from made
  )
  select ord, id from made`;

/**
 * The set-based path for a stream of records new to us (a first sync, a burst of sign-ups in
 * Stripe): whole, live, representable changes of records that carry none of our ids, one per
 * record and email in the wave. What applyExternalChange would do for each — create the customer
 * and link it — happens in one statement inside the caller's transaction; the rest (links by id
 * or email, conflicts, duplicates, partial changes, deletes) is left to the one-by-one path.
 * A concurrent writer taking one of the emails first fails the statement on the unique index
 * (nothing written); the caller then applies the wave one by one. Returns the outcome of each
 * change it applied, by its index in `batch`.
 */
export async function applyCreateBatch(em: EntityManager, target: MappingTarget, batch: BatchChange[]): Promise<Map<number, InboundOutcome>> {
  const { system, objectType } = target;
  const candidates = batch
    .map((item, ord) => ({ item, ord, fields: item.change.state && !item.change.state.deleted ? representable(item.change.state) : null }))
    .filter(
      (c) =>
        (c.item.change.kind === 'created' || c.item.change.kind === 'updated') &&
        !c.item.change.partial &&
        c.item.change.state?.internalId === null &&
        c.item.change.system === system &&
        c.item.change.objectType === objectType &&
        c.fields !== null,
    );
  // Two records of one wave with one email: the second is a conflict only the one-by-one path tells from a link.
  const emails = new Map<string, number>();
  for (const c of candidates) emails.set(c.fields!.email, (emails.get(c.fields!.email) ?? 0) + 1);
  const unique = candidates.filter((c) => emails.get(c.fields!.email) === 1);
  if (unique.length === 0) return new Map();

  const rows = unique.map(({ item: { change, audit }, ord, fields }) => {
    const [hash, state] = syncedColumns(fields!);
    return {
      ord,
      external_id: change.externalId,
      event_id: change.eventId,
      ...fields!,
      hash,
      state: JSON.parse(state!) as unknown,
      source_ts: change.sourceTs,
      event_type: audit.eventType,
      trace: change.traceId ?? change.eventId,
      audit_trace: audit.traceId,
      // The audit row says what one-by-one would (the customer id is the row's entity_id, not in the payload).
      audit: inboundAuditPayload(audit, { status: 'success', action: 'created', customerId: 0 }),
      retry: audit.retryCount ?? 0,
    };
  });
  const made = await bound<{ ord: number; id: number }>(em, CREATE_SQL, [JSON.stringify(rows), system, objectType, system, system, system, objectType, system, system, system, system], WAVE_PLANS);
  return new Map(made.map((r) => [r.ord, { status: 'success', action: 'created', customerId: Number(r.id) } satisfies InboundOutcome]));
}
