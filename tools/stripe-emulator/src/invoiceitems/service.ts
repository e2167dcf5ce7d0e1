import type { MonotonicSeconds } from '../clock';
import type { CustomerStore } from '../customers/store';
import type { EventRecorder, WriteOrigin } from '../events/recorder';
import { newInvoiceItemId, newLineItemId } from '../ids';
import { refuse } from '../invoices/refusals';
import type { InvoiceRecord, InvoiceStore } from '../invoices/store';
import { invalidRequest, resourceMissing } from '../stripe/errors';
import { diffAttributes } from '../stripe/previous-attributes';
import { buildInvoiceItem, deletedInvoiceItemStub, type DeletedInvoiceItem, type InvoiceItem, type InvoiceItemFields } from './object';
import { applyInvoiceItemPatch, type InvoiceItemCreate, type InvoiceItemPatch } from './params';
import type { InvoiceItemRecord, InvoiceItemStore } from './store';

/** Invoice item writes. An item on a draft invoice is one of its lines; on any other invoice it is frozen. */
export class InvoiceItemService {
  constructor(
    private readonly store: InvoiceItemStore,
    private readonly invoices: InvoiceStore,
    private readonly customers: CustomerStore,
    private readonly events: EventRecorder,
    private readonly clock: MonotonicSeconds,
  ) {}

  require(id: string): InvoiceItemRecord {
    const record = this.store.get(id);
    if (record === undefined || record.deleted) throw resourceMissing('invoiceitem', id);
    return record;
  }

  render(record: InvoiceItemRecord): InvoiceItem {
    return buildInvoiceItem(record.id, record.customer, record.created, record.invoice, record.fields);
  }

  create(request: InvoiceItemCreate, origin: WriteOrigin): InvoiceItem {
    const invoice = request.invoice === undefined ? undefined : this.draftInvoice(request.invoice, 'invoice');
    const customerId = request.customer ?? invoice?.state.customer ?? '';
    const customer = this.customers.get(customerId);
    if (customer === undefined || customer.deleted) throw resourceMissing('customer', customerId, 'customer', 400);
    if (invoice !== undefined && invoice.state.customer !== customerId) {
      throw invalidRequest(`The invoice ${invoice.id} does not belong to customer ${customerId}.`, 'invoice');
    }
    const currency = request.patch.currency ?? invoice?.state.currency ?? 'usd';
    if (invoice !== undefined && invoice.state.currency !== currency) {
      throw invalidRequest(`The currency of this invoice item (${currency}) must match the currency of the invoice (${invoice.state.currency}).`, 'currency');
    }
    const date = this.clock.next();
    const defaults: InvoiceItemFields = {
      currency,
      description: null,
      // Stripe makes negative items (credits) non-discountable unless told otherwise.
      discountable: (request.patch.amount ?? Number(request.patch.unitAmountDecimal ?? 0)) >= 0,
      metadata: Object.create(null) as InvoiceItemFields['metadata'],
      period: { end: date, start: date },
      unitAmountDecimal: '0',
      quantityDecimal: '1',
    };
    let id = newInvoiceItemId();
    while (this.store.has(id)) id = newInvoiceItemId();
    const record = this.store.insert({
      id, created: date, customer: customerId, lineId: newLineItemId(), invoice: invoice?.id ?? null,
      fields: applyInvoiceItemPatch(defaults, request.patch),
    });
    if (invoice !== undefined) invoice.state = { ...invoice.state, lineItemIds: [...invoice.state.lineItemIds, id] };
    const item = this.render(record);
    if (!origin.silent) this.events.record('invoiceitem.created', item, null, origin);
    return item;
  }

  update(record: InvoiceItemRecord, patch: InvoiceItemPatch, origin: WriteOrigin): InvoiceItem {
    this.assertEditable(record);
    const before = this.render(record);
    record.fields = applyInvoiceItemPatch(record.fields, patch);
    const after = this.render(record);
    const previous = diffAttributes(before, after);
    if (previous !== null && !origin.silent) this.events.record('invoiceitem.updated', after, previous, origin);
    return after;
  }

  remove(record: InvoiceItemRecord, origin: WriteOrigin): DeletedInvoiceItem {
    this.assertEditable(record);
    const snapshot = { ...this.render(record), deleted: true as const };
    const invoice = record.invoice === null ? undefined : this.invoices.get(record.invoice);
    if (invoice !== undefined) invoice.state = { ...invoice.state, lineItemIds: invoice.state.lineItemIds.filter((id) => id !== record.id) };
    record.deleted = true;
    if (!origin.silent) this.events.record('invoiceitem.deleted', snapshot, null, origin);
    return deletedInvoiceItemStub(record.id);
  }

  private draftInvoice(id: string, param: string): InvoiceRecord {
    const invoice = this.invoices.get(id);
    if (invoice === undefined || invoice.deleted) throw resourceMissing('invoice', id, param, 400);
    if (invoice.state.status !== 'draft') throw refuse.notEditable();
    return invoice;
  }

  private assertEditable(record: InvoiceItemRecord): void {
    if (record.invoice === null) return;
    const invoice = this.invoices.get(record.invoice);
    if (invoice !== undefined && invoice.state.status !== 'draft') throw refuse.notEditable();
  }
}
