import { createHash } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { CatalogAdapter, ExternalRecord, Integration } from '@cs/integrations';
import { actorOf, type MessageContext } from '@cs/kafka-schemas';
import { countSync, observeSyncLatency, type Logger, type SyncReason, type TokenBucket } from '@cs/platform';
import { allBothWays, fieldsGoing, onlyFields, type Catalog } from '../catalogs/catalog';
import type { SyncStatus } from '../entities';
import { linkMapping, type MappingTarget } from './mappings';
import { loadOutboundState, recordOutboundResult, type MappingWrite, type OutboundState } from './outbound-push';
import { outboundMessageLogger as messageLogger } from './outbound-message-log';
import { providerIdempotencyKey } from './provider-key';
import { recordSyncEvent, type SyncAttempt } from './sync-events';

export interface PushDeps {
  orm: MikroORM;
  integration: Integration;
  limiter: TokenBucket;
  logger: Logger;
  crashAfterCreate?: boolean;
}

/** What a push needs of the message that triggered it: any catalog's internal change envelope. */
export interface PushTrigger {
  id: string;
  type: string;
  origin: string;
  idempotency_key: string;
  trace_id: string;
  occurred_at: string;
  target_system?: string | undefined;
  actor?: string | undefined;
}

/** What a push did: `create` or `link` made the record's mapping. */
export interface PushResult {
  status: 'success' | 'skipped';
  action: string;
}

type Outcome<S> = {
  status: 'success' | 'skipped';
  action: string;
  externalId?: string | undefined;
  reason?: string;
  /** The mapping write that commits together with this attempt's audit row. */
  write?: MappingWrite<S>;
  /** The audit row is stored already (it went with the new mapping). */
  recorded?: boolean;
};

type Attempt = (status: SyncStatus, extra: Record<string, unknown>, error?: string) => SyncAttempt;

/** The skip reasons below, as the bounded `reason` label of sync_messages_total. */
const REASON_LABEL: Record<string, SyncReason> = {
  echo: 'echo',
  'does not exist': 'not_found',
  unchanged: 'unchanged',
  'already deleted there': 'unchanged',
  'never synced': 'never_synced',
  'not synced with this system': 'other',
};

const reasonLabel = (reason: string): SyncReason => REASON_LABEL[reason] ?? REASON_LABEL[reason.replace(/^\w+ does not exist$/, 'does not exist')] ?? 'other';

const details = <S>(o: Outcome<S>) => ({ action: o.action, external_id: o.externalId, reason: o.reason });

/**
 * The outbound push rules, written once over any catalog and any system: echo (a change from this
 * system is not sent back), unchanged (the hash — or, with one-way fields, the fields that go
 * there — says they hold it), create-or-link (a lost mapping is found by our id, never duplicated;
 * the create marker is committed before the call), update, delete (the mapping stays as a
 * tombstone link). The outbound worker only wires this to its consumer.
 *
 * Makes one external system hold our current state of one record. The message is only a trigger:
 * we read the record now and push that, so duplicates and late messages are harmless. Every
 * attempt leaves one sync_events row; a push costs two statements in the usual cases (read, then
 * audit row + mapping write together), plus the external calls.
 */
export async function pushRecord<S extends object>(catalog: Catalog<S>, deps: PushDeps, msg: PushTrigger, recordId: number, ctx: MessageContext): Promise<PushResult | undefined> {
  const system = deps.integration.system;
  // A dead letter replayed for another system: this one handled the message when it first came.
  if (msg.target_system !== undefined && msg.target_system !== system) return undefined;
  const log = messageLogger(deps.logger, msg);
  const em = deps.orm.em.fork();
  const attempt: Attempt = (status, extra, error) => ({
    eventType: msg.type,
    entityType: catalog.name,
    entityId: recordId,
    system,
    status,
    direction: 'outbound',
    traceId: msg.trace_id,
    actor: actorOf(msg),
    sourceAt: new Date(msg.occurred_at),
    payload: { message_id: msg.id, idempotency_key: msg.idempotency_key, origin: msg.origin, ...extra },
    error: error ?? null,
    retryCount: ctx.attempt - 1,
  });
  const adapter = deps.integration.catalogs[catalog.name] as CatalogAdapter<Partial<S>, ExternalRecord> | undefined;

  try {
    const outcome: Outcome<S> = adapter
      ? await decideAndPush(catalog, adapter, deps, em, msg, recordId, attempt)
      : { status: 'skipped', action: 'none', reason: 'not synced with this system' };
    if (!outcome.recorded) await recordOutboundResult(em, catalog, attempt(outcome.status, details(outcome)), outcome.write);
    countSync('outbound', system, outcome.status, outcome.reason ? reasonLabel(outcome.reason) : 'none', catalog.name);
    // The change was made in our catalog at occurred_at; it is in the external system now.
    if (outcome.status === 'success') observeSyncLatency('outbound', system, Date.parse(msg.occurred_at), catalog.name);
    log.info({ status: outcome.status, ...details(outcome) }, 'outbound sync');
    return { status: outcome.status, action: outcome.action };
  } catch (err) {
    const failure = deps.integration.classifyError(err);
    if (failure.status === 429) deps.limiter.drain(); // everyone waits, not just this retry
    await recordSyncEvent(em, attempt(failure.retryable ? 'retrying' : 'failed', { code: failure.code }, failure.message)).catch(() => undefined);
    throw err;
  }
}

/** How a push compares and writes, given the system's field map and what the record last held. */
interface Plan<S> {
  /** Our fields as we write them there: those that go there and, when we know what it holds, only those that differ. */
  write: Partial<S>;
  /** Whether `write` is a part of our state (the other fields there are left as they are). */
  partial: boolean;
  /** Whether the mapping says the record there holds what we would write (a cleared hash: unknown, so no). */
  unchanged(mapping: { last_synced_hash: string | null; last_synced_state: S | null }): boolean;
  /** Whether a record read from there holds what we would write. */
  matches(state: S): boolean;
  /** The state the record holds once written: ours for the fields we wrote, theirs for the others. */
  after(there: S | null): S;
}

/**
 * The fields an update sends. With what the record last held known (and a hash saying it is
 * current), only the fields that changed here since: a field someone changed there meanwhile, whose
 * event has not reached us yet, is not overwritten with our older value (design.md §6: concurrent
 * edits of different fields both survive). Otherwise (a create, a repair, an old mapping), every
 * field that goes there.
 */
function planFor<S extends object>(catalog: Catalog<S>, adapter: CatalogAdapter<Partial<S>, ExternalRecord>, ours: S, base: { hash: string | null; state: S | null } | null): Plan<S> {
  const going = fieldsGoing(catalog, adapter.fieldMap, 'to');
  const bothWays = allBothWays(catalog, adapter.fieldMap);
  const hash = catalog.hash(ours);
  const changed = base?.state && base.hash !== null ? going.filter((f) => !catalog.sameField(f, base.state!, ours)) : going;
  const fields = changed.length > 0 ? changed : going;
  return {
    write: onlyFields(ours, fields),
    partial: fields.length < catalog.fields.length,
    unchanged: bothWays
      ? (m) => m.last_synced_hash === hash
      : // One-way fields: only the fields that go there count, compared with what it last held.
        (m) => m.last_synced_hash !== null && m.last_synced_state !== null && going.every((f) => catalog.sameField(f, m.last_synced_state!, ours)),
    matches: (state) => going.every((f) => catalog.sameField(f, state, ours)),
    after: (there) => (bothWays && fields.length === catalog.fields.length ? ours : { ...(there ?? ours), ...onlyFields(ours, fields) }),
  };
}

/** A partial update's provider key names what it writes: a retry of the same write replays it, a different write is its own. */
function writeKey(base: string, plan: Plan<object>): string {
  if (!plan.partial) return base;
  return `${base}:${createHash('sha256').update(JSON.stringify(plan.write)).digest('hex').slice(0, 12)}`;
}

async function decideAndPush<S extends object>(
  catalog: Catalog<S>,
  adapter: CatalogAdapter<Partial<S>, ExternalRecord>,
  deps: PushDeps,
  em: EntityManager,
  msg: PushTrigger,
  recordId: number,
  attempt: Attempt,
): Promise<Outcome<S>> {
  const system = deps.integration.system;
  const call = <T>(fn: () => Promise<T>) => limited(deps.limiter, fn);

  // Rule 2: a change that came from this system is never written back to it.
  if (msg.origin === system) return { status: 'skipped', action: 'none', reason: 'echo' };

  // Also commits the 'pending' create marker when a create is due right away (see loadOutboundState).
  const createMarker = attempt('pending', { action: 'create' });
  const target: MappingTarget = { system, objectType: adapter.objectType, entityType: catalog.name };
  const state: OutboundState<S> = await loadOutboundState(em, catalog, recordId, target, createMarker);
  const { record, mapping } = state;
  if (!record) return { status: 'skipped', action: 'none', reason: `${catalog.name} does not exist` };

  if (record.deleted_at) {
    if (mapping?.last_synced_hash === catalog.deletedHash) return { status: 'skipped', action: 'none', reason: 'already deleted there', externalId: mapping.external_id };
    const externalId = mapping?.external_id ?? (await call(() => adapter.findByInternalId(recordId)))?.externalId;
    if (!externalId) return { status: 'skipped', action: 'none', reason: 'never synced' };
    await call(() => adapter.delete(externalId, { idempotencyKey: providerIdempotencyKey(msg.idempotency_key, system, 'delete') }));
    // The mapping stays as a tombstone link, so late events about the record are recognised.
    return { status: 'success', action: 'delete', externalId, ...(mapping && { write: { kind: 'synced', mappingId: mapping.id, state: null } }) };
  }

  // Every synced field that goes there: a null one clears it there (our catalog is the record).
  const plan = planFor(catalog, adapter, record.state, mapping ? { hash: mapping.last_synced_hash, state: mapping.last_synced_state } : null);
  if (mapping && plan.unchanged(mapping)) {
    return { status: 'skipped', action: 'none', reason: 'unchanged', externalId: mapping.external_id };
  }
  const updateKey = writeKey(providerIdempotencyKey(msg.idempotency_key, system, 'update'), plan);

  if (mapping) {
    await call(() => adapter.update(mapping.external_id, plan.write, { idempotencyKey: updateKey }));
    return { status: 'success', action: 'update', externalId: mapping.external_id, write: { kind: 'synced', mappingId: mapping.id, state: plan.after(mapping.last_synced_state) } };
  }

  // No mapping. If we ever tried to create this record before (a crash or a lost mapping), look
  // for the record carrying our id first, so it is found rather than duplicated.
  let external: ExternalRecord | null = null;
  if (state.triedToCreate) external = await call(() => adapter.findByInternalId(recordId));
  let action = 'link';
  if (!external) {
    // The marker is committed before the call: it records that a create may have happened.
    if (!state.createMarked) await recordSyncEvent(em, createMarker);
    try {
      // A re-delivery of this message, even after a crash, replays the first create; any other
      // message found the create marker above and searched first.
      external = await call(() => adapter.create(plan.write, recordId, { idempotencyKey: providerIdempotencyKey(msg.idempotency_key, system, 'create') }));
      action = 'create';
      if (deps.crashAfterCreate) process.kill(process.pid, 'SIGKILL');
    } catch (err) {
      // The key was used with other values: our first create went through. Find it and update it.
      if (deps.integration.classifyError(err).code !== 'idempotency_conflict') throw err;
      external = await call(() => adapter.findByInternalId(recordId));
      if (!external) throw Object.assign(new Error('created record not searchable yet'), { retryable: true });
    }
  }
  const found = external;
  const there = catalog.state(found as unknown as Record<string, unknown>);
  const holdsOurValues = plan.matches(there);
  const linkedNow: Outcome<S> = { status: 'success', action, externalId: found.externalId };
  const synced = plan.after(there);
  // The usual case: the record there holds our values, so the new mapping is stored already synced, with the audit row.
  const link: MappingWrite<S> = { kind: 'linked', internalId: recordId, target, externalId: found.externalId, state: synced };
  if (holdsOurValues && (await recordOutboundResult(em, catalog, attempt('success', details(linkedNow)), link))) return { ...linkedNow, recorded: true };

  // The record is linked already (the inbound worker saw our create), or the record there needs our values.
  const linked = await linkMapping(em, recordId, target, found.externalId);
  if (!holdsOurValues) await call(() => adapter.update(linked.external_id, plan.write, { idempotencyKey: updateKey }));
  return { status: 'success', action, externalId: linked.external_id, write: { kind: 'synced', mappingId: linked.id, state: synced } };
}

async function limited<T>(limiter: TokenBucket, call: () => Promise<T>): Promise<T> {
  await limiter.take();
  return call();
}
