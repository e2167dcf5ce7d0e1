import { createHash } from 'node:crypto';
import Stripe from 'stripe';
import type { CatalogAdapter, ExternalInvoice, InvoiceFields, InvoiceLineFields, ListPage, WriteOptions } from '../types';
import { dueDateToUnix, invoiceFromStripe, lineFromStripe, stepsTo, type InvoiceStep } from './invoice-mapping';

/**
 * Our invoices as Stripe invoices: made with auto_advance=false (we decide when it finalizes) and
 * our id in metadata.internal_invoice_id. The invoice is made first, then one invoice item per line
 * on it (`invoice:`), so no pending item of the customer is swept in. Every call's idempotency key
 * is the write's key plus the step, so a retry of the same write replays each call it made.
 */
export class StripeInvoices implements CatalogAdapter<InvoiceFields, ExternalInvoice> {
  readonly objectType = 'invoice';

  constructor(private readonly stripe: Stripe) {}

  async create(fields: InvoiceFields, internalId: number, opts: WriteOptions): Promise<ExternalInvoice> {
    const { customer, currency } = fields;
    if (!customer || !currency) throw new Error('an invoice is created with its customer and currency');
    const invoice = await this.stripe.invoices.create(
      {
        customer,
        currency,
        auto_advance: false,
        collection_method: fields.collection_method ?? 'charge_automatically',
        ...(fields.due_date ? { due_date: dueDateToUnix(fields.due_date) } : {}),
        ...(fields.description ? { description: fields.description } : {}),
        metadata: { internal_invoice_id: String(internalId) },
        pending_invoice_items_behavior: 'exclude',
      },
      { idempotencyKey: `${opts.idempotencyKey}:invoice` },
    );
    await this.addLines(invoice.id!, customer, currency, fields.lines ?? [], `${opts.idempotencyKey}:line`);
    if (fields.status) await this.moveTo(invoice.id!, 'draft', fields.status, opts.idempotencyKey);
    return (await this.get(invoice.id!))!;
  }

  /**
   * Makes the invoice hold `fields`: a draft's fields and lines (lines replaced: the old items
   * deleted, ours added), then the lifecycle calls that take it to `status`. Edits of a draft that
   * Stripe has finalized meanwhile cannot be made there and are left out (its own events tell us).
   */
  async update(externalId: string, fields: InvoiceFields, opts: WriteOptions): Promise<ExternalInvoice> {
    let there = await this.require(externalId);
    if (there.status === 'draft') {
      const params: Stripe.InvoiceUpdateParams = {};
      if (fields.collection_method !== undefined) params.collection_method = fields.collection_method;
      // No due date: switching to charge_automatically clears it there.
      if (fields.due_date) params.due_date = dueDateToUnix(fields.due_date);
      if (fields.description !== undefined) params.description = fields.description ?? '';
      if (Object.keys(params).length > 0) await this.stripe.invoices.update(externalId, params, { idempotencyKey: `${opts.idempotencyKey}:invoice` });
      if (fields.lines !== undefined && !sameLines(fields.lines, there.lines)) await this.replaceLines(there, fields.lines, opts.idempotencyKey);
      there = await this.require(externalId);
    }
    if (fields.status) await this.moveTo(externalId, there.status, fields.status, opts.idempotencyKey);
    return this.require(externalId);
  }

  /** Only a draft is deleted (ours are: a draft's deletion is the only deletion we sync); gone already is what we wanted. */
  async delete(externalId: string, opts: WriteOptions): Promise<void> {
    try {
      await this.stripe.invoices.del(externalId, {}, { idempotencyKey: opts.idempotencyKey });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }

  /** The invoice with every line (Stripe embeds the first 10; the rest are paged from its lines list). */
  async get(externalId: string): Promise<ExternalInvoice | null> {
    try {
      const invoice = await this.stripe.invoices.retrieve(externalId);
      return invoiceFromStripe(invoice, await this.linesOf(invoice));
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /**
   * The live invoice carrying our id, oldest first. Listing (not search: the emulator has no
   * invoice search, and Stripe's lags) — within the customer's invoices when the caller names it.
   */
  async findByInternalId(internalId: number, scope?: { parent?: string | undefined }): Promise<ExternalInvoice | null> {
    const found: Stripe.Invoice[] = [];
    for await (const inv of this.stripe.invoices.list({ limit: 100, ...(scope?.parent ? { customer: scope.parent } : {}) })) {
      if (inv.metadata?.internal_invoice_id === String(internalId)) found.push(inv);
    }
    found.sort((a, b) => a.created - b.created || a.id!.localeCompare(b.id!));
    return found[0] ? this.get(found[0].id!) : null;
  }

  async list(cursor: string | null, limit: number): Promise<ListPage<ExternalInvoice>> {
    const page = await this.stripe.invoices.list({ limit, ...(cursor ? { starting_after: cursor } : {}) });
    const items = await Promise.all(page.data.map(async (inv) => invoiceFromStripe(inv, await this.linesOf(inv))));
    return { items, nextCursor: page.has_more ? (page.data.at(-1)?.id ?? null) : null };
  }

  private async require(externalId: string): Promise<ExternalInvoice> {
    const invoice = await this.get(externalId);
    if (!invoice) throw Object.assign(new Error(`stripe invoice ${externalId} not found`), { statusCode: 404 });
    return invoice;
  }

  private async linesOf(invoice: Stripe.Invoice): Promise<InvoiceLineFields[]> {
    if (!invoice.lines.has_more) return invoice.lines.data.map(lineFromStripe);
    const lines: InvoiceLineFields[] = [];
    for await (const line of this.stripe.invoices.listLineItems(invoice.id!, { limit: 100 })) lines.push(lineFromStripe(line));
    return lines;
  }

  private async addLines(invoiceId: string, customer: string, currency: string, lines: InvoiceLineFields[], keyPrefix: string): Promise<void> {
    for (const [i, line] of lines.entries()) {
      await this.stripe.invoiceItems.create(
        {
          customer,
          invoice: invoiceId,
          currency,
          description: line.description,
          quantity: line.quantity,
          unit_amount_decimal: String(line.unit_amount) as unknown as Stripe.Decimal,
        },
        { idempotencyKey: `${keyPrefix}:${i}` },
      );
    }
  }

  /**
   * The draft's items deleted, ours added. The keys also name the items found: a retry after a
   * crash half-way finds other items and makes its own calls, rather than replaying creates whose
   * items it just deleted.
   */
  private async replaceLines(there: ExternalInvoice, lines: InvoiceLineFields[], key: string): Promise<void> {
    const items: string[] = [];
    for await (const item of this.stripe.invoiceItems.list({ invoice: there.externalId, limit: 100 })) items.push(item.id);
    const round = createHash('sha256').update(items.join(',')).digest('hex').slice(0, 12);
    for (const id of items) {
      try {
        await this.stripe.invoiceItems.del(id, {}, { idempotencyKey: `${key}:del:${id}` });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    await this.addLines(there.externalId, there.customer, there.currency, lines, `${key}:${round}:line`);
  }

  private async moveTo(externalId: string, from: ExternalInvoice['status'], to: ExternalInvoice['status'], key: string): Promise<void> {
    for (const step of stepsTo(from, to)) await this.step(externalId, step, `${key}:${step}`);
  }

  private step(id: string, step: InvoiceStep, idempotencyKey: string): Promise<Stripe.Invoice> {
    const opts = { idempotencyKey };
    if (step === 'finalize') return this.stripe.invoices.finalizeInvoice(id, { auto_advance: false }, opts);
    if (step === 'void') return this.stripe.invoices.voidInvoice(id, {}, opts);
    return this.stripe.invoices.markUncollectible(id, {}, opts);
  }
}

function sameLines(a: InvoiceLineFields[], b: InvoiceLineFields[]): boolean {
  return a.length === b.length && a.every((l, i) => l.description === b[i]!.description && l.quantity === b[i]!.quantity && l.unit_amount === b[i]!.unit_amount);
}

function isNotFound(err: unknown): boolean {
  return (err instanceof Stripe.errors.StripeInvalidRequestError && err.statusCode === 404) || (err as { statusCode?: number } | null)?.statusCode === 404;
}
