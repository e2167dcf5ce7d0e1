import type { EntityManager } from '@mikro-orm/postgresql';
import type { CatalogAdapter, ExternalInvoice, Integration, InvoiceFields } from '@cs/integrations';
import { actorOf, type InvoiceEventMessage, type MessageContext } from '@cs/kafka-schemas';
import { countSync } from '@cs/platform';
import { customerCatalog } from '../catalogs/customer';
import { invoiceCatalog, type InvoiceState } from '../catalogs/invoice';
import { sql } from '../sql';
import { pushRecord, type PushDeps, type PushResult } from './push-record';
import { recordSyncEvent, type SyncAttempt } from './sync-events';

/**
 * The skip reason of an invoice whose customer the system does not hold yet; the mappings' trigger
 * (Migration20261207000000_invoice_waits) looks for it, word for word, to wake the invoice.
 */
export const waitingReason = (system: string): string => `customer not in ${system} yet`;

interface CustomerLink {
  customer_id: number;
  deleted_at: Date | null;
  external_id: string | null;
  last_synced_hash: string | null;
}

/**
 * Makes one system hold our current state of one invoice: pushRecord's rules (echo, unchanged,
 * create-or-link with the create marker, update, delete of a deleted draft) over the invoice
 * catalog, with the invoice's customer given as its id there. The lifecycle is the adapter's
 * update: our status ahead of theirs → the calls that take it there (finalize, void,
 * mark_uncollectible), never backwards.
 *
 * An invoice whose customer has no mapping to that system yet waits: skipped (no retry, no dead
 * letter). Whatever links the customer there later (our push, the bulk push, the inbound worker, a
 * backfill) wakes it: the mappings' trigger writes its outbox row (Migration20261207000000_invoice_waits).
 */
export async function pushInvoice(deps: PushDeps, msg: InvoiceEventMessage, ctx: MessageContext): Promise<PushResult | undefined> {
  const system = deps.integration.system;
  const adapter = deps.integration.catalogs.invoice;
  const invoiceId = msg.payload.invoice_id;
  if (!adapter || msg.origin === system || (msg.target_system !== undefined && msg.target_system !== system)) return pushRecord(invoiceCatalog, deps, msg, invoiceId, ctx);

  const em = deps.orm.em.fork();
  const customerType = deps.integration.catalogs.customer?.objectType ?? 'customer';
  let link = await customerLink(em, invoiceId, system, customerType);
  // No such invoice, or a deleted draft: pushRecord's rules say what to do (it needs no customer).
  if (!link || link.deleted_at) return pushRecord(invoiceCatalog, deps, msg, invoiceId, ctx);
  if (!link.external_id) link = await waitUnlessLinked(em, msg, ctx, system, customerType, link);
  const reason = !link.external_id ? waitingReason(system) : link.last_synced_hash === customerCatalog.deletedHash ? `customer deleted in ${system}` : null;
  if (reason !== null || !link.external_id) {
    // A waiting skip is recorded under the lock already (waitUnlessLinked).
    if (link.external_id && reason) await recordSyncEvent(em, skipped(msg, ctx, system, reason, link.customer_id));
    countSync('outbound', system, 'skipped', 'other', 'invoice');
    return { status: 'skipped', action: 'none' };
  }
  const bound = withCustomer(adapter, link.customer_id, link.external_id);
  return pushRecord(invoiceCatalog, { ...deps, integration: withInvoiceAdapter(deps.integration, bound) }, msg, invoiceId, ctx);
}

/**
 * The invoice's customer has no mapping there: decided under the lock the mapping's trigger takes
 * (Migration20261207000000_invoice_waits) — either the mapping is there now (returned, the push goes
 * on), or this skip is committed before the trigger looks for the invoices that waited.
 */
function waitUnlessLinked(em: EntityManager, msg: InvoiceEventMessage, ctx: MessageContext, system: string, customerType: string, seen: CustomerLink): Promise<CustomerLink> {
  return em.transactional(async (tx) => {
    await sql(tx, `select pg_advisory_xact_lock_shared(hashtext('invoice-wait:' || ?), ?)`, [system, seen.customer_id]);
    const now = (await customerLink(tx, msg.payload.invoice_id, system, customerType)) ?? seen;
    if (!now.external_id) await recordSyncEvent(tx, skipped(msg, ctx, system, waitingReason(system), now.customer_id));
    return now;
  });
}

async function customerLink(em: EntityManager, invoiceId: number, system: string, customerType: string): Promise<CustomerLink | undefined> {
  const [link] = await sql<CustomerLink>(
    em,
    `select i.customer_id, i.deleted_at, m.external_id, m.last_synced_hash from invoices i
       left join external_mappings m on m.entity_type = 'customer' and m.internal_id = i.customer_id and m.external_system = ? and m.external_object_type = ?
      where i.id = ?`,
    [system, customerType, invoiceId],
  );
  return link;
}

function skipped(msg: InvoiceEventMessage, ctx: MessageContext, system: string, reason: string, customerId: number): SyncAttempt {
  return {
    eventType: msg.type,
    entityType: 'invoice',
    entityId: msg.payload.invoice_id,
    system,
    status: 'skipped',
    direction: 'outbound',
    traceId: msg.trace_id,
    actor: actorOf(msg),
    payload: { message_id: msg.id, idempotency_key: msg.idempotency_key, origin: msg.origin, action: 'none', reason, customer_id: customerId },
    retryCount: ctx.attempt - 1,
  };
}

type BoundAdapter = CatalogAdapter<Partial<InvoiceState>, ExternalInvoice>;

/** The adapter in the catalog's terms: our customer id is written as theirs, and read back as ours. */
function withCustomer(adapter: CatalogAdapter<InvoiceFields, ExternalInvoice>, customerId: number, customerExternalId: string): BoundAdapter {
  const toFields = (state: Partial<InvoiceState>): InvoiceFields => {
    const { customer_id: _ours, ...rest } = state;
    return { ...rest, customer: customerExternalId };
  };
  const asOurs = <X extends ExternalInvoice | null>(x: X): X => (x && { ...x, customer_id: x.customer === customerExternalId ? customerId : -1 }) as X;
  return {
    objectType: adapter.objectType,
    fieldMap: adapter.fieldMap,
    create: async (fields, internalId, opts) => asOurs(await adapter.create(toFields(fields), internalId, opts)),
    update: async (externalId, fields, opts) => asOurs(await adapter.update(externalId, toFields(fields), opts)),
    delete: (externalId, opts) => adapter.delete(externalId, opts),
    get: async (externalId) => asOurs(await adapter.get(externalId)),
    findByInternalId: async (internalId) => asOurs(await adapter.findByInternalId(internalId, { parent: customerExternalId })),
    list: (cursor, limit) => adapter.list(cursor, limit),
  };
}

function withInvoiceAdapter(integration: Integration, invoice: BoundAdapter): Integration {
  return {
    system: integration.system,
    catalogs: { ...integration.catalogs, invoice: invoice as unknown as CatalogAdapter<InvoiceFields, ExternalInvoice> },
    toNeutralChange: (event) => integration.toNeutralChange(event),
    classifyError: (err) => integration.classifyError(err),
    ping: () => integration.ping(),
  };
}
