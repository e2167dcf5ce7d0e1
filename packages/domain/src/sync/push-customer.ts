import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { ExternalCustomer, Integration } from '@cs/integrations';
import type { CustomerEventMessage, MessageContext } from '@cs/kafka-schemas';
import { countSync, observeSyncLatency, type Logger, type SyncReason, type TokenBucket } from '@cs/platform';
import { sameState, stateHash, syncedState } from '../customer-rules';
import type { SyncStatus } from '../entities';
import { DELETED_HASH_INPUT, linkMapping } from './mappings';
import { loadOutboundState, recordOutboundResult, type MappingWrite } from './outbound-push';
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

type Outcome = {
  status: 'success' | 'skipped';
  action: string;
  externalId?: string | undefined;
  reason?: string;
  /** The mapping write that commits together with this attempt's audit row. */
  write?: MappingWrite;
  /** The audit row is stored already (it went with the new mapping). */
  recorded?: boolean;
};

type Attempt = (status: SyncStatus, extra: Record<string, unknown>, error?: string) => SyncAttempt;

/** The skip reasons below, as the bounded `reason` label of sync_messages_total. */
const REASON_LABEL: Record<string, SyncReason> = {
  echo: 'echo',
  'customer does not exist': 'not_found',
  unchanged: 'unchanged',
  'already deleted there': 'unchanged',
  'never synced': 'never_synced',
};

const details = (o: Outcome) => ({ action: o.action, external_id: o.externalId, reason: o.reason });

/**
 * The outbound push rules, in one place whatever the system: echo (a change from this system is
 * not sent back), unchanged (the hash says they hold it), create-or-link (a lost mapping is found
 * by our id, never duplicated; the create marker is committed before the call), update, delete
 * (the mapping stays as a tombstone link). The outbound worker only wires this to its consumer.
 *
 * Makes one external system hold our current state of one customer. The message is only a
 * trigger: we read the customer now and push that, so duplicates and late messages are harmless.
 * Every attempt leaves one sync_events row; a push costs two statements in the usual cases (read,
 * then audit row + mapping write together), plus the external calls.
 */
export async function pushCustomer(deps: PushDeps, msg: CustomerEventMessage, ctx: MessageContext): Promise<void> {
  const system = deps.integration.system;
  // A dead letter replayed for another system: this one handled the message when it first came.
  if (msg.target_system !== undefined && msg.target_system !== system) return;
  const customerId = msg.payload.customer_id;
  const log = messageLogger(deps.logger, msg);
  const em = deps.orm.em.fork();
  const attempt: Attempt = (status, extra, error) => ({
    eventType: msg.type,
    entityId: customerId,
    system,
    status,
    direction: 'outbound',
    traceId: msg.trace_id,
    payload: { message_id: msg.id, idempotency_key: msg.idempotency_key, origin: msg.origin, ...extra },
    error: error ?? null,
    retryCount: ctx.attempt - 1,
  });

  try {
    const outcome = await decideAndPush(deps, em, msg, customerId, attempt);
    if (!outcome.recorded) await recordOutboundResult(em, attempt(outcome.status, details(outcome)), outcome.write);
    countSync('outbound', system, outcome.status, outcome.reason ? (REASON_LABEL[outcome.reason] ?? 'other') : 'none');
    // The change was made in our catalog at occurred_at; it is in the external system now.
    if (outcome.status === 'success') observeSyncLatency('outbound', system, Date.parse(msg.occurred_at));
    log.info({ status: outcome.status, ...details(outcome) }, 'outbound sync');
  } catch (err) {
    const failure = deps.integration.classifyError(err);
    if (failure.status === 429) deps.limiter.drain(); // everyone waits, not just this retry
    await recordSyncEvent(em, attempt(failure.retryable ? 'retrying' : 'failed', { code: failure.code }, failure.message)).catch(() => undefined);
    throw err;
  }
}

async function decideAndPush(deps: PushDeps, em: EntityManager, msg: CustomerEventMessage, customerId: number, attempt: Attempt): Promise<Outcome> {
  const { integration, limiter } = deps;
  const system = integration.system;

  // Rule 2: a change that came from this system is never written back to it.
  if (msg.origin === system) return { status: 'skipped', action: 'none', reason: 'echo' };

  // Also commits the 'pending' create marker when a create is due right away (see loadOutboundState).
  const createMarker = attempt('pending', { action: 'create' });
  const target = { system, objectType: integration.objectType };
  const { customer, mapping, triedToCreate, createMarked } = await loadOutboundState(em, customerId, target, createMarker);
  if (!customer) return { status: 'skipped', action: 'none', reason: 'customer does not exist' };

  if (customer.deleted_at) {
    const deletedHash = stateHash(DELETED_HASH_INPUT);
    if (mapping?.last_synced_hash === deletedHash) return { status: 'skipped', action: 'none', reason: 'already deleted there', externalId: mapping.external_id };
    const externalId = mapping?.external_id ?? (await limited(limiter, () => integration.findByInternalId(customerId)))?.externalId;
    if (!externalId) return { status: 'skipped', action: 'none', reason: 'never synced' };
    await limited(limiter, () => integration.deleteCustomer(externalId, { idempotencyKey: providerIdempotencyKey(msg.idempotency_key, system, 'delete') }));
    // The mapping stays as a tombstone link, so late events about the record are recognised.
    return { status: 'success', action: 'delete', externalId, ...(mapping && { write: { kind: 'synced', mappingId: mapping.id, state: null } }) };
  }

  // Every synced field, phone and address too: a null one clears it there (our catalog is the record).
  const fields = syncedState(customer);
  const hash = stateHash(fields);
  if (mapping?.last_synced_hash === hash) return { status: 'skipped', action: 'none', reason: 'unchanged', externalId: mapping.external_id };
  const updateKey = providerIdempotencyKey(msg.idempotency_key, system, 'update');

  if (mapping) {
    await limited(limiter, () => integration.updateCustomer(mapping.external_id, fields, { idempotencyKey: updateKey }));
    return { status: 'success', action: 'update', externalId: mapping.external_id, write: { kind: 'synced', mappingId: mapping.id, state: fields } };
  }

  // No mapping. If we ever tried to create this customer before (a crash or a lost mapping),
  // look for the record carrying our id first, so it is found rather than duplicated.
  let external: ExternalCustomer | null = null;
  if (triedToCreate) external = await limited(limiter, () => integration.findByInternalId(customerId));
  let action = 'link';
  if (!external) {
    // The marker is committed before the call: it records that a create may have happened.
    if (!createMarked) await recordSyncEvent(em, createMarker);
    try {
      // A re-delivery of this message, even after a crash, replays the first create; any other
      // message found the create marker above and searched first.
      external = await limited(limiter, () => integration.createCustomer(fields, customerId, { idempotencyKey: providerIdempotencyKey(msg.idempotency_key, system, 'create') }));
      action = 'create';
      if (deps.crashAfterCreate) process.kill(process.pid, 'SIGKILL');
    } catch (err) {
      // The key was used with other values: our first create went through. Find it and update it.
      if (integration.classifyError(err).code !== 'idempotency_conflict') throw err;
      external = await limited(limiter, () => integration.findByInternalId(customerId));
      if (!external) throw Object.assign(new Error('created record not searchable yet'), { retryable: true });
    }
  }
  const found = external;
  const holdsOurValues = sameState(syncedState(found), fields);
  const linkedNow: Outcome = { status: 'success', action, externalId: found.externalId };
  // The usual case: the record there holds our values, so the new mapping is stored already synced, with the audit row.
  const link: MappingWrite = { kind: 'linked', customerId, target, externalId: found.externalId, state: fields };
  if (holdsOurValues && (await recordOutboundResult(em, attempt('success', details(linkedNow)), link))) return { ...linkedNow, recorded: true };

  // The customer is linked already (the inbound worker saw our create), or the record there needs our values.
  const linked = await linkMapping(em, customerId, target, found.externalId);
  if (!holdsOurValues) await limited(limiter, () => integration.updateCustomer(linked.external_id, fields, { idempotencyKey: updateKey }));
  return { status: 'success', action, externalId: linked.external_id, write: { kind: 'synced', mappingId: linked.id, state: fields } };
}

async function limited<T>(limiter: TokenBucket, call: () => Promise<T>): Promise<T> {
  await limiter.take();
  return call();
}
