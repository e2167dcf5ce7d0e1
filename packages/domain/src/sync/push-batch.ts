import type { CatalogAdapter, ExternalRecord } from '@cs/integrations';
import { actorOf, type MessageContext } from '@cs/kafka-schemas';
import { countSync, observeSyncLatency } from '@cs/platform';
import { allBothWays, fieldsGoing, onlyFields, type Catalog } from '../catalogs/catalog';
import { sql } from '../sql';
import type { MappingTarget } from './mappings';
import { recordOutboundResult, type MappingWrite } from './outbound-push';
import type { PushDeps, PushTrigger } from './push-record';

/** One message of a wave, with the id of the record it names. */
export interface BatchItem {
  message: PushTrigger;
  recordId: number;
  ctx: MessageContext;
}

interface Row {
  id: number;
  deleted_at: Date | null;
  mapping_id: number | null;
  external_id: string | null;
  last_synced_hash: string | null;
  last_synced_state: Record<string, unknown> | null;
  [column: string]: unknown;
}

interface Due<S> {
  index: number;
  item: BatchItem;
  state: S;
  write: Partial<S>;
  /** What the record holds once written. */
  after: S;
  mapping: { id: number; externalId: string } | null;
}

/**
 * A backlog's fast path for systems with bulk writes (Salesforce sObject Collections): a wave of
 * messages (at most one per record) whose records need writing goes out in a few calls — creates
 * as upserts by our id (a retry, even after a crash, finds the record our id is on: no second one),
 * updates by the id there — instead of one call per record. Each record's result is handled on its
 * own: a success writes its mapping and audit row as the single path would; a failure, and every
 * message that needs a decision (echoes, deletes, unchanged records, one-way field maps, a record
 * gone), is left to `pushRecord`, which retries, parks or skips it. A wave of one is left to it too:
 * a single change goes out alone, at once. Returns the indexes of the messages it pushed.
 */
export async function pushBatch<S extends object>(catalog: Catalog<S>, deps: PushDeps, items: BatchItem[]): Promise<Set<number>> {
  const done = new Set<number>();
  const system = deps.integration.system;
  const adapter = deps.integration.catalogs[catalog.name] as CatalogAdapter<Partial<S>, ExternalRecord> | undefined;
  if (!adapter?.upsertMany || !adapter.updateMany || items.length < 2 || !allBothWays(catalog, adapter.fieldMap)) return done;
  const target: MappingTarget = { system, objectType: adapter.objectType, entityType: catalog.name };
  const eligible = items.map((item, index) => ({ item, index })).filter(({ item }) => item.message.origin !== system && (item.message.target_system ?? system) === system);
  if (eligible.length < 2) return done;

  const em = deps.orm.em.fork();
  const rows = await sql<Row>(
    em,
    `select r.*, m.id as mapping_id, m.external_id, m.last_synced_hash, m.last_synced_state
       from ${catalog.table} r
       left join external_mappings m on m.entity_type = ? and m.internal_id = r.id and m.external_system = ? and m.external_object_type = ?
      where r.id = any(?::int[])`,
    [catalog.name, system, target.objectType, `{${eligible.map((e) => e.item.recordId).join(',')}}`],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const going = fieldsGoing(catalog, adapter.fieldMap, 'to');
  const due: Due<S>[] = [];
  for (const { item, index } of eligible) {
    const row = byId.get(item.recordId);
    if (!row || row.deleted_at) continue; // gone, or a delete: the single path decides
    const state = catalog.state(row);
    if (row.mapping_id !== null && row.last_synced_hash === catalog.hash(state)) continue; // unchanged: a skip, no call
    // As the single path does: an update sends only what changed here since the record last held our state.
    const base = row.mapping_id !== null && row.last_synced_hash !== null && row.last_synced_state ? catalog.state(row.last_synced_state) : null;
    const changed = base ? going.filter((f) => !catalog.sameField(f, base, state)) : going;
    const write = onlyFields(state, changed.length > 0 ? changed : going);
    const after = base && changed.length > 0 ? { ...base, ...write } : state;
    due.push({ index, item, state, write, after, mapping: row.mapping_id === null ? null : { id: row.mapping_id, externalId: row.external_id! } });
  }
  const creates = due.filter((d) => d.mapping === null);
  const updates = due.filter((d) => d.mapping !== null);
  const call = async <T>(fn: () => Promise<T>) => {
    await deps.limiter.take();
    return fn();
  };
  const [created, updated] = await Promise.all([
    creates.length ? call(() => adapter.upsertMany!(creates.map((d) => ({ fields: d.write, internalId: d.item.recordId })))) : [],
    updates.length ? call(() => adapter.updateMany!(updates.map((d) => ({ fields: d.write, externalId: d.mapping!.externalId })))) : [],
  ]);

  const results = [...creates.map((d, i) => [d, created[i]] as const), ...updates.map((d, i) => [d, updated[i]] as const)];
  for (const [d, result] of results) {
    if (!result?.ok) continue; // the single path retries it (and parks it with the reason if it keeps failing)
    const action = d.mapping ? 'update' : result.created ? 'create' : 'link';
    const write: MappingWrite<S> = d.mapping
      ? { kind: 'synced', mappingId: d.mapping.id, state: d.after }
      : { kind: 'linked', internalId: d.item.recordId, target, externalId: result.externalId, state: d.state };
    const attempt = {
      eventType: d.item.message.type,
      entityType: catalog.name,
      entityId: d.item.recordId,
      system,
      status: 'success' as const,
      direction: 'outbound' as const,
      traceId: d.item.message.trace_id,
      actor: actorOf(d.item.message),
      sourceAt: new Date(d.item.message.occurred_at),
      payload: { message_id: d.item.message.id, idempotency_key: d.item.message.idempotency_key, origin: d.item.message.origin, action, external_id: result.externalId, bulk: true },
      retryCount: d.item.ctx.attempt - 1,
    };
    // A link that lost a race (the inbound worker linked it first) is left to the single path, which links the slow way.
    if (!(await recordOutboundResult(em, catalog, attempt, write))) continue;
    countSync('outbound', system, 'success', 'none', catalog.name);
    observeSyncLatency('outbound', system, Date.parse(d.item.message.occurred_at), catalog.name);
    done.add(d.index);
  }
  deps.logger.info({ system, wave: items.length, pushed: done.size, calls: Number(creates.length > 0) + Number(updates.length > 0) }, 'outbound bulk push');
  return done;
}
