import type { MikroORM } from '@cs/domain';
import { DELETED_HASH_INPUT, linkMapping, mappingFor, markSynced, recordSyncEvent, sql, stateHash, type MappingRow } from '@cs/domain';
import type { ExternalCustomer, Integration } from '@cs/integrations';
import type { CustomerEventMessage, MessageContext } from '@cs/kafka-schemas';
import { countSync, observeSyncLatency, type Logger, type SyncReason, type TokenBucket } from '@cs/platform';
import { messageLogger } from './message-log';

export interface PushDeps {
  orm: MikroORM;
  integration: Integration;
  limiter: TokenBucket;
  logger: Logger;
  crashAfterCreate?: boolean;
}

interface CurrentCustomer {
  id: number;
  name: string;
  email: string;
  version: number;
  deleted_at: Date | null;
}

type Outcome = { status: 'success' | 'skipped'; action: string; externalId?: string | undefined; reason?: string };

/** The skip reasons below, as the bounded `reason` label of sync_messages_total. */
const REASON_LABEL: Record<string, SyncReason> = {
  echo: 'echo',
  'customer does not exist': 'not_found',
  unchanged: 'unchanged',
  'already deleted there': 'unchanged',
  'never synced': 'never_synced',
};

/**
 * Makes one external system hold our current state of one customer. The message is only a
 * trigger: we read the customer now and push that, so duplicates and late messages are harmless.
 */
export async function pushCustomer(deps: PushDeps, msg: CustomerEventMessage, ctx: MessageContext): Promise<void> {
  const system = deps.integration.system;
  const customerId = msg.payload.customer_id;
  const log = messageLogger(deps.logger, msg);
  const em = deps.orm.em.fork();
  const audit = (status: string, extra: Record<string, unknown>, error?: string) =>
    recordSyncEvent(em, {
      eventType: msg.type,
      entityId: customerId,
      system,
      status: status as never,
      direction: 'outbound',
      traceId: msg.trace_id,
      payload: { message_id: msg.id, idempotency_key: msg.idempotency_key, origin: msg.origin, ...extra },
      error: error ?? null,
      retryCount: ctx.attempt - 1,
    });

  try {
    const outcome = await decideAndPush(deps, msg, customerId, audit);
    await audit(outcome.status, { action: outcome.action, external_id: outcome.externalId, reason: outcome.reason });
    countSync('outbound', system, outcome.status, outcome.reason ? (REASON_LABEL[outcome.reason] ?? 'other') : 'none');
    // The change was made in our catalog at occurred_at; it is in the external system now.
    if (outcome.status === 'success') observeSyncLatency('outbound', system, Date.parse(msg.occurred_at));
    log.info(outcome, 'outbound sync');
  } catch (err) {
    const failure = deps.integration.classifyError(err);
    if (failure.status === 429) deps.limiter.drain(); // everyone waits, not just this retry
    await audit(failure.retryable ? 'retrying' : 'failed', { code: failure.code }, failure.message).catch(() => undefined);
    throw err;
  }
}

async function decideAndPush(
  deps: PushDeps,
  msg: CustomerEventMessage,
  customerId: number,
  audit: (status: string, extra: Record<string, unknown>) => Promise<void>,
): Promise<Outcome> {
  const { integration, limiter } = deps;
  const system = integration.system;
  const em = deps.orm.em.fork();

  // Rule 2: a change that came from this system is never written back to it.
  if (msg.origin === system) return { status: 'skipped', action: 'none', reason: 'echo' };

  const [customer] = await sql<CurrentCustomer>(em, 'select id, name, email, version, deleted_at from customers where id = ?', [customerId]);
  if (!customer) return { status: 'skipped', action: 'none', reason: 'customer does not exist' };
  const mapping = await mappingFor(em, customerId, system);

  if (customer.deleted_at) {
    const deletedHash = stateHash(DELETED_HASH_INPUT);
    if (mapping?.last_synced_hash === deletedHash) return { status: 'skipped', action: 'none', reason: 'already deleted there', externalId: mapping.external_id };
    const externalId = mapping?.external_id ?? (await limited(limiter, () => integration.findByInternalId(customerId)))?.externalId;
    if (externalId) await limited(limiter, () => integration.deleteCustomer(externalId, { idempotencyKey: `customer:${customerId}:${system}:delete` }));
    // The mapping stays as a tombstone link, so late events about the record are recognised.
    if (mapping) await markSynced(em, mapping.id, deletedHash);
    return externalId ? { status: 'success', action: 'delete', externalId } : { status: 'skipped', action: 'none', reason: 'never synced' };
  }

  const fields = { name: customer.name, email: customer.email };
  const hash = stateHash(fields);
  if (mapping?.last_synced_hash === hash) return { status: 'skipped', action: 'none', reason: 'unchanged', externalId: mapping.external_id };

  if (mapping) {
    await limited(limiter, () =>
      integration.updateCustomer(mapping.external_id, fields, { idempotencyKey: `customer:${customerId}:v${customer.version}:${system}:update` }),
    );
    await markSynced(em, mapping.id, hash);
    return { status: 'success', action: 'update', externalId: mapping.external_id };
  }

  // No mapping. If we ever tried to create this customer before (a crash or a lost mapping),
  // look for the record carrying our id first, so it is found rather than duplicated.
  let external: ExternalCustomer | null = null;
  if (await triedToCreateBefore(em, customerId, system)) external = await limited(limiter, () => integration.findByInternalId(customerId));
  let action = 'link';
  if (!external) {
    await audit('pending', { action: 'create' }); // committed before the call: marks that a create may have happened
    try {
      // One key per customer: any retry of this create, even after a crash, replays the first.
      external = await limited(limiter, () => integration.createCustomer(fields, customerId, { idempotencyKey: `customer:${customerId}:${system}:create` }));
      action = 'create';
      if (deps.crashAfterCreate) process.kill(process.pid, 'SIGKILL');
    } catch (err) {
      // The key was used with other values: our first create went through. Find it and update it.
      if (integration.classifyError(err).code !== 'idempotency_conflict') throw err;
      external = await limited(limiter, () => integration.findByInternalId(customerId));
      if (!external) throw Object.assign(new Error('created record not searchable yet'), { retryable: true });
    }
  }
  const linked: MappingRow = await linkMapping(em, customerId, system, external.externalId);
  if (external.name !== fields.name || external.email !== fields.email) {
    await limited(limiter, () =>
      integration.updateCustomer(linked.external_id, fields, { idempotencyKey: `customer:${customerId}:v${customer.version}:${system}:update` }),
    );
  }
  await markSynced(em, linked.id, hash);
  return { status: 'success', action, externalId: linked.external_id };
}

async function triedToCreateBefore(em: Parameters<typeof sql>[0], customerId: number, system: string): Promise<boolean> {
  const rows = await sql(
    em,
    `select 1 from sync_events where entity_type = 'customer' and entity_id = ? and external_system = ? and direction = 'outbound'
       and payload->>'action' = 'create' limit 1`,
    [customerId, system],
  );
  return rows.length > 0;
}

async function limited<T>(limiter: TokenBucket, call: () => Promise<T>): Promise<T> {
  await limiter.take();
  return call();
}
