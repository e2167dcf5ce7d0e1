import type { EntityManager } from '@mikro-orm/postgresql';
import type { CatalogAdapter, ExternalInvoice, Integration, InvoiceFields } from '@cs/integrations';
import { actorOf, type InvoiceEventMessage, type MessageContext } from '@cs/kafka-schemas';
import { countSync } from '@cs/platform';
import { customerCatalog } from '../catalogs/customer';
import { invoiceCatalog, type InvoiceState } from '../catalogs/invoice';
import { InvoiceSchema } from '../entities';
import { enqueueInvoiceChange } from '../outbox';
import { sql } from '../sql';
import { pushRecord, type PushDeps, type PushResult } from './push-record';
import { recordSyncEvent } from './sync-events';

/** The skip reason of an invoice whose customer the system does not hold yet; its customer's link re-triggers it. */
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
 * letter), and the customer's push that links it re-triggers it (retriggerWaitingInvoices).
 */
export async function pushInvoice(deps: PushDeps, msg: InvoiceEventMessage, ctx: MessageContext): Promise<PushResult | undefined> {
  const system = deps.integration.system;
  const adapter = deps.integration.catalogs.invoice;
  const invoiceId = msg.payload.invoice_id;
  if (!adapter || msg.origin === system || (msg.target_system !== undefined && msg.target_system !== system)) return pushRecord(invoiceCatalog, deps, msg, invoiceId, ctx);

  const em = deps.orm.em.fork();
  const customerType = deps.integration.catalogs.customer?.objectType ?? 'customer';
  const [link] = await sql<CustomerLink>(
    em,
    `select i.customer_id, i.deleted_at, m.external_id, m.last_synced_hash from invoices i
       left join external_mappings m on m.entity_type = 'customer' and m.internal_id = i.customer_id and m.external_system = ? and m.external_object_type = ?
      where i.id = ?`,
    [system, customerType, invoiceId],
  );
  // No such invoice, or a deleted draft: pushRecord's rules say what to do (it needs no customer).
  if (!link || link.deleted_at) return pushRecord(invoiceCatalog, deps, msg, invoiceId, ctx);
  if (!link.external_id || link.last_synced_hash === customerCatalog.deletedHash) {
    const reason = link.external_id ? `customer deleted in ${system}` : waitingReason(system);
    await recordSyncEvent(em, {
      eventType: msg.type,
      entityType: 'invoice',
      entityId: invoiceId,
      system,
      status: 'skipped',
      direction: 'outbound',
      traceId: msg.trace_id,
      actor: actorOf(msg),
      payload: { message_id: msg.id, idempotency_key: msg.idempotency_key, origin: msg.origin, action: 'none', reason, customer_id: link.customer_id },
      retryCount: ctx.attempt - 1,
    });
    countSync('outbound', system, 'skipped', 'other');
    return { status: 'skipped', action: 'none' };
  }
  const bound = withCustomer(adapter, link.customer_id, link.external_id);
  return pushRecord(invoiceCatalog, { ...deps, integration: withInvoiceAdapter(deps.integration, bound) }, msg, invoiceId, ctx);
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

/**
 * A customer just got its mapping to `system`: each of its live invoices that waited for it (its
 * last push to that system was skipped as waiting, and it has no mapping there) gets an outbox
 * 'invoice.updated', so it is pushed now — once, not retried in a loop meanwhile.
 */
export async function retriggerWaitingInvoices(em: EntityManager, customerId: number, system: string, traceId: string): Promise<number> {
  const rows = await sql<{ id: number }>(
    em,
    `select i.id from invoices i
      where i.customer_id = ? and i.deleted_at is null
        and not exists (select 1 from external_mappings m where m.entity_type = 'invoice' and m.internal_id = i.id and m.external_system = ?)
        and exists (select 1 from sync_events e where e.entity_type = 'invoice' and e.entity_id = i.id and e.external_system = ?
                       and e.direction = 'outbound' and e.status = 'skipped' and e.payload->>'reason' = ?)
      order by i.id`,
    [customerId, system, system, waitingReason(system)],
  );
  if (rows.length === 0) return 0;
  await em.transactional(async (tx) => {
    const invoices = await tx.find(InvoiceSchema, { id: { $in: rows.map((r) => r.id) } }, { orderBy: { id: 'asc' } });
    for (const invoice of invoices) enqueueInvoiceChange(tx, 'invoice.updated', invoice, { origin: 'internal', traceId }, `customer-linked:${system}`);
    await tx.flush();
  });
  return rows.length;
}
