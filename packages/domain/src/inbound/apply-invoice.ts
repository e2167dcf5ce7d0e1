import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ExternalInvoice } from '@cs/integrations';
import type { InvoiceChangeType } from '@cs/kafka-schemas';
import { invoiceCatalog, invoiceStateFields, type InvoiceLineState, type InvoiceState } from '../catalogs/invoice';
import { InvoiceLineSchema, InvoiceSchema, type Invoice } from '../entities';
import { canTransition, INVOICE_STATUSES, linesTotal, type InvoiceStatus } from '../invoices/rules';
import { enqueueInvoiceChange } from '../outbox';
import { sql } from '../sql';
import { catalogColumns } from '../sync/outbound-push';
import { linkMapping, MARK_SYNCED_SET, type MappingRow } from '../sync/mappings';
import { applyChange, currentState, type CatalogApply } from './apply-change';
import { NeedsCustomer } from './invoice-customer';
import type { ExternalChange, InboundOutcome, KnownCurrent } from './types';

/**
 * An invoice as a system holds it, in neutral terms (what an `external.change` of entity_type
 * invoice carries): the connector's ExternalInvoice without where it lives and when it was made.
 */
export type ExternalInvoiceState = Omit<ExternalInvoice, 'externalId' | 'createdTs' | 'modifiedTs'>;

/**
 * Applies one external change to our invoices, inside the caller's transaction: applyChange's shared
 * steps (dedupe, order guard, a same-second tie settled by the invoice's current state there), then
 * the invoice rules (docs/invoices.md): Stripe's own fields (number, URLs, amounts paid, paid_at)
 * are taken; the status only moves forward, along canTransition (paid and void never regress);
 * draft content stays ours; an invoice made there for a customer we map is imported.
 *
 * `linkCustomer`: an invoice made there for a customer we do not map yet throws NeedsCustomer (the
 * transaction rolls back), so that the caller links that customer first (applyWithCustomer);
 * without it, such an invoice is skipped.
 */
export function applyInvoiceChange(
  em: EntityManager,
  change: ExternalChange<ExternalInvoiceState>,
  current?: KnownCurrent<ExternalInvoiceState>,
  opts: { linkCustomer?: boolean } = {},
): Promise<InboundOutcome> {
  return applyChange(em, opts.linkCustomer ? INVOICE_APPLY_LINKING : INVOICE_APPLY, change, current);
}

const INVOICE_APPLY: CatalogApply<ExternalInvoiceState> = {
  entityType: 'invoice',
  // What the mapping records is our synced state, not Stripe's fields (number, URLs, payments): a
  // same-second event is never known to bring nothing new, so ties always read the current state.
  sameAsSynced: () => false,
  complete: (_change, state) => state,
  onDelete: (em, change, mapping) => applyDelete(em, change, mapping),
  onMapped: (em, change, mapping, state, current) => applyToMapped(em, change, mapping, state, current),
  onUnmapped: (em, change, state, current) => applyUnmapped(em, change, state, current, false),
};
const INVOICE_APPLY_LINKING: CatalogApply<ExternalInvoiceState> = {
  ...INVOICE_APPLY,
  onUnmapped: (em, change, state, current) => applyUnmapped(em, change, state, current, true),
};

/** Whether `to` is ahead of `from`: reachable by moves canTransition allows (draft → paid passes open). */
export function isAhead(from: InvoiceStatus, to: InvoiceStatus): boolean {
  const seen = new Set<InvoiceStatus>([from]);
  const queue: InvoiceStatus[] = [from];
  while (queue.length > 0) {
    const at = queue.shift()!;
    for (const next of INVOICE_STATUSES) {
      if (seen.has(next) || !canTransition(at, next)) continue;
      if (next === to) return true;
      seen.add(next);
      queue.push(next);
    }
  }
  return false;
}

const EVENT_OF: Partial<Record<InvoiceStatus, InvoiceChangeType>> = { open: 'invoice.finalized', void: 'invoice.voided', uncollectible: 'invoice.marked_uncollectible' };

const lock = (em: EntityManager, id: number) => em.findOne(InvoiceSchema, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
const linesOf = async (em: EntityManager, id: number): Promise<InvoiceLineState[]> =>
  (await em.find(InvoiceLineSchema, { invoiceId: id }, { orderBy: { position: 'asc' } })).map((l) => ({ description: l.description, quantity: l.quantity, unit_amount: l.unitAmount }));

/** What the record there holds, in the catalog's terms (its lines, unless the event had only some: then ours). */
function heldThere(invoice: Invoice, ourLines: InvoiceLineState[], state: ExternalInvoiceState): InvoiceState {
  return invoiceCatalog.state({ ...state, customer_id: invoice.customerId, lines: state.linesIncomplete ? ourLines : state.lines });
}

async function markInvoiceSynced(em: EntityManager, mappingId: number, held: InvoiceState | null, sourceTs: number): Promise<void> {
  await sql(em, `update external_mappings set ${MARK_SYNCED_SET} where id = ?`, [...catalogColumns(invoiceCatalog, held), sourceTs, mappingId]);
}

async function applyToMapped(em: EntityManager, change: ExternalChange<ExternalInvoiceState>, mapping: MappingRow, state: ExternalInvoiceState, _known: KnownCurrent<ExternalInvoiceState>): Promise<InboundOutcome> {
  const invoice = await lock(em, mapping.internal_id);
  if (!invoice || invoice.deletedAt) return { status: 'skipped', reason: 'invoice deleted here', customerId: mapping.internal_id };
  // The mapping records what the record there holds: where ours differs (a change of ours on its way), the push still sees it.
  await markInvoiceSynced(em, mapping.id, heldThere(invoice, await linesOf(em, invoice.id), state), change.sourceTs);

  const from = invoice.status;
  const forward = state.status !== from && isAhead(from, state.status);
  const atTheirs = forward || state.status === from;
  const next: Partial<Invoice> = {};
  if (forward) next.status = state.status;
  // Stripe's own fields: taken when we are at its status; never cleared (a stale copy holds null).
  if (state.number && state.number !== invoice.number) next.number = state.number;
  if (state.hosted_invoice_url && state.hosted_invoice_url !== invoice.hostedInvoiceUrl) next.hostedInvoiceUrl = state.hosted_invoice_url;
  if (state.invoice_pdf && state.invoice_pdf !== invoice.invoicePdf) next.invoicePdf = state.invoice_pdf;
  if (atTheirs) {
    const paid = Math.min(Math.max(state.amount_paid, 0), invoice.amountDue);
    if (paid !== invoice.amountPaid && !(invoice.status === 'paid' && paid < invoice.amountPaid)) Object.assign(next, { amountPaid: paid, amountRemaining: invoice.amountDue - paid });
    const paidAt = state.status === 'paid' && state.paid_at ? new Date(state.paid_at * 1000) : null;
    if (paidAt && invoice.paidAt?.getTime() !== paidAt.getTime()) next.paidAt = paidAt;
  }
  if (Object.keys(next).length === 0) {
    const why = state.status !== from && !forward ? `status ${state.status} is behind ours (${from}): kept ours` : 'already equal';
    return { status: 'skipped', reason: why, customerId: invoice.id };
  }
  em.assign(invoice, { ...next, updatedAt: new Date() });
  await em.flush();
  enqueueInvoiceChange(em, (forward && EVENT_OF[state.status]) || 'invoice.updated', invoice, { origin: change.system as never, traceId: change.traceId ?? change.eventId });
  await em.flush();
  const detail = forward ? `${from} → ${state.status}` : `took ${Object.keys(next).join(', ')}`;
  return { status: 'success', action: 'updated', customerId: invoice.id, detail };
}

async function applyUnmapped(em: EntityManager, change: ExternalChange<ExternalInvoiceState>, state: ExternalInvoiceState, known: KnownCurrent<ExternalInvoiceState>, linkCustomer: boolean): Promise<InboundOutcome> {
  const target = { system: change.system, objectType: change.objectType, entityType: 'invoice' };
  // Our own create coming back (it carries our id): link it, then apply it as a mapped one.
  if (state.internalId !== null) {
    const ours = await lock(em, state.internalId);
    if (ours?.deletedAt) return { status: 'skipped', reason: 'invoice deleted here', customerId: ours.id };
    if (ours) {
      const mapping = await linkMapping(em, ours.id, target, change.externalId);
      if (mapping.external_id !== change.externalId) {
        return { status: 'conflict', reason: `invoice ${ours.id} is already linked to ${mapping.external_id}`, customerId: ours.id, ours: mapping.external_id, theirs: change.externalId, park: true };
      }
      const applied = await applyToMapped(em, change, mapping, state, undefined);
      // The link is what happened, even when the rest was equal already.
      return applied.status === 'skipped' ? { status: 'success', action: 'linked', customerId: ours.id, detail: 'echo of our create' } : applied;
    }
  }
  return importInvoice(em, change, state, known, linkCustomer);
}

/**
 * An invoice made there (not by us) for a customer we map becomes ours: the invoice, its lines and
 * its mapping. For a customer we do not map, the caller that can is asked to link that customer
 * first (NeedsCustomer); otherwise it is skipped: we hold no customer to hang it on.
 */
async function importInvoice(
  em: EntityManager,
  change: ExternalChange<ExternalInvoiceState>,
  state: ExternalInvoiceState,
  known: KnownCurrent<ExternalInvoiceState>,
  linkCustomer: boolean,
): Promise<InboundOutcome> {
  const [owner] = await sql<{ internal_id: number; deleted: boolean }>(
    em,
    `select m.internal_id, c.deleted_at is not null as deleted from external_mappings m join customers c on c.id = m.internal_id
      where m.entity_type = 'customer' and m.external_system = ? and m.external_id = ?`,
    [change.system, state.customer],
  );
  if (!owner && linkCustomer && state.customer) throw new NeedsCustomer(state.customer);
  if (!owner) return { status: 'skipped', reason: `customer ${state.customer} not linked here`, customerId: null };
  if (owner.deleted) return { status: 'skipped', reason: 'customer deleted here', customerId: null };
  const full = state.linesIncomplete ? currentState(change, known) : state;
  if (!full) return { status: 'skipped', reason: `invoice deleted in ${change.system}`, customerId: null };
  const parsed = invoiceStateFields.safeParse({ ...heldFields(full), customer_id: owner.internal_id });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    return { status: 'conflict', reason: `${change.system} invoice ${change.externalId} cannot be represented here (${problems})`, customerId: null, ours: null, theirs: full, park: true };
  }
  const fields = parsed.data as InvoiceState;
  const amountDue = Number(linesTotal(fields.lines));
  const amountPaid = Math.min(Math.max(full.amount_paid, 0), amountDue);
  const now = new Date();
  const invoice = em.create(InvoiceSchema, {
    customerId: owner.internal_id,
    currency: fields.currency,
    status: fields.status,
    collectionMethod: fields.collection_method,
    dueDate: fields.due_date,
    description: fields.description,
    number: full.number,
    amountDue,
    amountPaid,
    amountRemaining: amountDue - amountPaid,
    hostedInvoiceUrl: full.hosted_invoice_url,
    invoicePdf: full.invoice_pdf,
    paidAt: fields.status === 'paid' && full.paid_at ? new Date(full.paid_at * 1000) : null,
    version: 1,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  });
  await em.flush();
  fields.lines.forEach((l, position) => em.create(InvoiceLineSchema, { invoiceId: invoice.id, description: l.description, quantity: l.quantity, unitAmount: l.unit_amount, position }));
  enqueueInvoiceChange(em, 'invoice.created', invoice, { origin: change.system as never, traceId: change.traceId ?? change.eventId });
  await em.flush();
  const mapping = await linkMapping(em, invoice.id, { system: change.system, objectType: change.objectType, entityType: 'invoice' }, change.externalId);
  await markInvoiceSynced(em, mapping.id, fields, change.sourceTs);
  return { status: 'success', action: 'created', customerId: invoice.id, detail: `imported for customer ${owner.internal_id}` };
}

const heldFields = (s: ExternalInvoiceState) => ({
  currency: s.currency,
  collection_method: s.collection_method,
  due_date: s.due_date,
  description: s.description,
  lines: s.lines,
  status: s.status,
});

/** A draft deleted there: ours goes too, if it is still a draft; the mapping stays as a tombstone link. */
async function applyDelete(em: EntityManager, change: ExternalChange<ExternalInvoiceState>, mapping: MappingRow | undefined): Promise<InboundOutcome> {
  if (!mapping) return { status: 'skipped', reason: 'not linked to any invoice', customerId: null };
  await markInvoiceSynced(em, mapping.id, null, change.sourceTs);
  const invoice = await lock(em, mapping.internal_id);
  if (!invoice || invoice.deletedAt) return { status: 'skipped', reason: 'already deleted here', customerId: mapping.internal_id };
  if (invoice.status !== 'draft') return { status: 'skipped', reason: `invoice is ${invoice.status} here: only a draft is deleted`, customerId: invoice.id };
  const now = new Date();
  em.assign(invoice, { deletedAt: now, updatedAt: now });
  await em.flush();
  enqueueInvoiceChange(em, 'invoice.deleted', invoice, { origin: change.system as never, traceId: change.traceId ?? change.eventId });
  await em.flush();
  return { status: 'success', action: 'deleted', customerId: invoice.id };
}
