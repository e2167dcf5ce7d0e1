import { LockMode } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { CustomerSchema, ExternalMappingSchema, InvoiceLineSchema, InvoiceSchema, type ExternalMapping, type Invoice, type InvoiceLine } from '../entities';
import { DomainError } from '../errors';
import { enqueueInvoiceChange, type ChangeContext } from '../outbox';
import { canTransition, dueDateProblem, INVOICE_ACTIONS, INVOICE_STATUSES, linesTotal, type InvoiceAction, type InvoiceDraftFields, type InvoiceStatus } from './rules';

export interface InvoiceListQuery {
  skip: number;
  limit: number;
  customerId?: number | undefined;
  status?: InvoiceStatus | undefined;
}

export type InvoiceChanges = { [K in keyof InvoiceDraftFields]?: InvoiceDraftFields[K] | undefined };

export interface InvoiceWithLines {
  invoice: Invoice;
  lines: InvoiceLine[];
}

export interface InvoiceDetail extends InvoiceWithLines {
  mappings: ExternalMapping[];
}

/**
 * The invoice catalog's write side. As for customers, every accepted change bumps the version and
 * commits together with its outbox row; a write that changes nothing commits nothing. Only drafts
 * change their fields and lines; the rest of the lifecycle is canTransition's.
 */
export class InvoiceService {
  constructor(private readonly orm: MikroORM) {}

  async create(customerId: number, draft: InvoiceDraftFields, ctx: ChangeContext): Promise<InvoiceWithLines> {
    return this.orm.em.fork().transactional(async (em) => {
      // Shared lock: a customer deletion running now either waits for this draft (and deletes it) or has already won.
      const [customer] = await em.find(CustomerSchema, { id: customerId, deletedAt: null }, { lockMode: LockMode.PESSIMISTIC_READ, fields: ['id'] });
      if (!customer) throw invalid('customer_id', `customer ${customerId} does not exist (or is deleted)`);
      const now = new Date();
      const invoice = em.create(InvoiceSchema, {
        customerId,
        ...draftColumns(draft),
        status: 'draft',
        number: null,
        amountPaid: 0,
        hostedInvoiceUrl: null,
        invoicePdf: null,
        paidAt: null,
        version: 1,
        createdAt: now,
        updatedAt: now,
        deletedAt: null,
      });
      await em.flush();
      const lines = addLines(em, invoice.id, draft.lines);
      enqueueInvoiceChange(em, 'invoice.created', invoice, ctx);
      await em.flush();
      return { invoice, lines };
    });
  }

  /** Full replace (PUT: every field given) or partial (PATCH: `lines`, when given, replaces all lines); undefined keeps a field. */
  async update(id: number, changes: InvoiceChanges, expectedVersion: number | undefined, ctx: ChangeContext): Promise<InvoiceWithLines> {
    return this.orm.em.fork().transactional(async (em) => {
      const invoice = await lockDraft(em, id, expectedVersion, 'change');
      const lines = await linesOf(em, id);
      const before = draftOf(invoice, lines);
      const next: InvoiceDraftFields = { ...before, ...definedOnly(changes) };
      const problem = dueDateProblem(next.collection_method, next.due_date);
      if (problem) throw invalid('due_date', problem);
      if (JSON.stringify(next) === JSON.stringify(before)) return { invoice, lines };

      em.assign(invoice, { ...draftColumns(next), updatedAt: new Date() });
      await em.flush(); // bumps the version (optimistic-lock column)
      let nextLines = lines;
      if (JSON.stringify(next.lines) !== JSON.stringify(before.lines)) {
        await em.nativeDelete(InvoiceLineSchema, { invoiceId: id });
        nextLines = addLines(em, id, next.lines);
      }
      enqueueInvoiceChange(em, 'invoice.updated', invoice, ctx);
      await em.flush();
      return { invoice, lines: nextLines };
    });
  }

  /** Only a draft is deleted (a tombstone, so the deletion can be synced); an invoice sent is voided instead. */
  async remove(id: number, expectedVersion: number | undefined, ctx: ChangeContext): Promise<void> {
    await this.orm.em.fork().transactional(async (em) => {
      const invoice = await lockDraft(em, id, expectedVersion, 'delete');
      await tombstone(em, invoice, ctx);
    });
  }

  async transition(id: number, action: InvoiceAction, expectedVersion: number | undefined, ctx: ChangeContext): Promise<InvoiceWithLines> {
    const { to, event } = INVOICE_ACTIONS[action];
    return this.orm.em.fork().transactional(async (em) => {
      const invoice = await lockLive(em, id, expectedVersion);
      if (!canTransition(invoice.status, to)) {
        const from = INVOICE_STATUSES.filter((s) => canTransition(s, to)).join(' or ');
        throw new DomainError('invalid_transition', `invoice ${id} is ${invoice.status}: ${action} applies only to an invoice that is ${from}`, { status: invoice.status, action });
      }
      const lines = await linesOf(em, id);
      if (action === 'finalize' && lines.length === 0) throw new DomainError('invoice_has_no_lines', `invoice ${id} has no lines: add one before finalizing it`, { id });
      em.assign(invoice, { status: to, updatedAt: new Date() });
      await em.flush();
      enqueueInvoiceChange(em, event, invoice, ctx);
      await em.flush();
      return { invoice, lines };
    });
  }

  async get(id: number): Promise<InvoiceDetail> {
    const em = this.orm.em.fork();
    const invoice = await em.findOne(InvoiceSchema, { id, deletedAt: null });
    if (!invoice) throw notFound(id);
    const lines = await linesOf(em, id);
    const mappings = await em.find(ExternalMappingSchema, { entityType: 'invoice', internalId: id }, { orderBy: { id: 'asc' } });
    return { invoice, lines, mappings };
  }

  async list(query: InvoiceListQuery): Promise<Invoice[]> {
    const em = this.orm.em.fork();
    const where = {
      deletedAt: null,
      ...(query.customerId === undefined ? {} : { customerId: query.customerId }),
      ...(query.status === undefined ? {} : { status: query.status }),
    };
    return em.find(InvoiceSchema, where, { orderBy: { id: 'asc' }, limit: query.limit, offset: query.skip });
  }

  /** A live customer's invoices; a customer that is missing or deleted is a 404, as its own page is. */
  async listOfCustomer(customerId: number, query: Omit<InvoiceListQuery, 'customerId'>): Promise<Invoice[]> {
    const customer = await this.orm.em.fork().findOne(CustomerSchema, { id: customerId, deletedAt: null }, { fields: ['id'] });
    if (!customer) throw new DomainError('customer_not_found', `customer ${customerId} not found`, { id: customerId });
    return this.list({ ...query, customerId });
  }
}

/**
 * What deleting a customer does to its invoices, in the deletion's transaction (the customer row
 * already locked): an open or uncollectible invoice is money still owed, so the deletion is refused;
 * drafts were never sent, so they are deleted with it (each with its outbox row); paid and void
 * invoices are history and stay, pointing at the customer's tombstone.
 */
export async function settleInvoicesOfDeletedCustomer(em: EntityManager, customerId: number, ctx: ChangeContext): Promise<void> {
  const invoices = await em.find(InvoiceSchema, { customerId, deletedAt: null, status: { $in: ['draft', 'open', 'uncollectible'] } }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } });
  const owed = invoices.filter((i) => i.status !== 'draft').map((i) => i.id);
  if (owed.length > 0) {
    throw new DomainError(
      'customer_has_open_invoices',
      `customer ${customerId} has open or uncollectible invoices (${owed.join(', ')}): void them (or have them paid) before deleting the customer`,
      { invoice_ids: owed },
    );
  }
  for (const draft of invoices) await tombstone(em, draft, ctx);
}

async function tombstone(em: EntityManager, invoice: Invoice, ctx: ChangeContext): Promise<void> {
  const now = new Date();
  em.assign(invoice, { deletedAt: now, updatedAt: now });
  await em.flush();
  enqueueInvoiceChange(em, 'invoice.deleted', invoice, ctx);
  await em.flush();
}

async function lockLive(em: EntityManager, id: number, expectedVersion: number | undefined): Promise<Invoice> {
  const invoice = await em.findOne(InvoiceSchema, { id, deletedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!invoice) throw notFound(id);
  if (expectedVersion !== undefined && expectedVersion !== invoice.version) {
    throw new DomainError('version_conflict', `invoice ${id} is at version ${invoice.version}, not ${expectedVersion}`, { current_version: invoice.version });
  }
  return invoice;
}

async function lockDraft(em: EntityManager, id: number, expectedVersion: number | undefined, what: 'change' | 'delete'): Promise<Invoice> {
  const invoice = await lockLive(em, id, expectedVersion);
  if (invoice.status !== 'draft') {
    const instead = what === 'delete' ? (invoice.status === 'open' || invoice.status === 'uncollectible' ? '; void it instead' : '') : '';
    throw new DomainError('invoice_not_draft', `invoice ${id} is ${invoice.status}: only a draft can ${what === 'change' ? 'change its fields or lines' : 'be deleted'}${instead}`, {
      status: invoice.status,
    });
  }
  return invoice;
}

const linesOf = (em: EntityManager, invoiceId: number) => em.find(InvoiceLineSchema, { invoiceId }, { orderBy: { position: 'asc' } });

function addLines(em: EntityManager, invoiceId: number, lines: InvoiceDraftFields['lines']): InvoiceLine[] {
  return lines.map((l, position) => em.create(InvoiceLineSchema, { invoiceId, description: l.description, quantity: l.quantity, unitAmount: l.unit_amount, position }));
}

/** The columns a draft's fields set, totals included: computed here, and only here. */
function draftColumns(d: InvoiceDraftFields) {
  const amountDue = Number(linesTotal(d.lines)); // within MAX_SAFE_INTEGER: invoiceLines checked it
  return { currency: d.currency, collectionMethod: d.collection_method, dueDate: d.due_date, description: d.description, amountDue, amountRemaining: amountDue };
}

function draftOf(invoice: Invoice, lines: InvoiceLine[]): InvoiceDraftFields {
  return {
    currency: invoice.currency,
    collection_method: invoice.collectionMethod,
    due_date: invoice.dueDate,
    description: invoice.description,
    lines: lines.map((l) => ({ description: l.description, quantity: l.quantity, unit_amount: l.unitAmount })),
  };
}

function definedOnly(o: InvoiceChanges): Partial<InvoiceDraftFields> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<InvoiceDraftFields>;
}

function invalid(path: string, message: string) {
  return new DomainError('validation_failed', `${path}: ${message}`, [{ in: 'body', path, code: 'custom', message }]);
}

function notFound(id: number) {
  return new DomainError('invoice_not_found', `invoice ${id} not found`, { id });
}
