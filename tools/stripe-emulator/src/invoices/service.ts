import type { MonotonicSeconds } from '../clock';
import type { CustomerStore } from '../customers/store';
import type { EventRecorder, WriteOrigin } from '../events/recorder';
import { newInvoiceId } from '../ids';
import type { InvoiceItemStore } from '../invoiceitems/store';
import { resourceMissing } from '../stripe/errors';
import type { InvoiceChanges } from './changes';
import { deletedInvoiceStub, type DeletedInvoice, type Invoice, type InvoiceState } from './object';
import { applyInvoicePatch, FINALIZED_UPDATABLE, type InvoiceCreate, type InvoicePatch } from './params';
import { refuse } from './refusals';
import type { InvoiceRecord, InvoiceStore } from './store';
import type { InvoiceView } from './view';

/** Invoice creation, edits and deletion, shared by the API and the admin routes. */
export class InvoiceService {
  constructor(
    private readonly store: InvoiceStore,
    private readonly items: InvoiceItemStore,
    private readonly customers: CustomerStore,
    private readonly view: InvoiceView,
    private readonly changes: InvoiceChanges,
    private readonly events: EventRecorder,
    private readonly clock: MonotonicSeconds,
  ) {}

  /** A live invoice; `param` is the name Stripe's 404 uses for this endpoint. */
  require(id: string, param = 'id'): InvoiceRecord {
    const record = this.store.get(id);
    if (record === undefined || record.deleted) throw resourceMissing('invoice', id, param);
    return record;
  }

  render(record: InvoiceRecord): Invoice {
    return this.view.render(record.state);
  }

  create(request: InvoiceCreate, origin: WriteOrigin): Invoice {
    const customer = this.customers.get(request.customer);
    if (customer === undefined || customer.deleted) throw resourceMissing('customer', request.customer, 'customer', 400);
    const pending = request.includePending ? this.items.pendingFor(request.customer, request.currency) : [];
    const currency = request.currency ?? pending[0]?.fields.currency ?? 'usd';
    const swept = pending.filter((item) => item.fields.currency === currency);
    let id = newInvoiceId();
    while (this.store.has(id)) id = newInvoiceId();
    const draft: InvoiceState = {
      id, customer: request.customer, created: this.clock.next(), currency, status: 'draft',
      collection_method: 'charge_automatically', auto_advance: false, description: null, footer: null,
      statement_descriptor: null, metadata: Object.create(null) as InvoiceState['metadata'], due_date: null,
      number: null, attempt_count: 0, attempted: false, amount_paid: 0,
      status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
      effective_at: null, ending_balance: null, hostedToken: null, frozenCustomer: null,
      lineItemIds: swept.map((item) => item.id),
    };
    // Validate before touching the swept items, so a refused create leaves them pending.
    const record = this.store.insert(applyInvoicePatch(draft, request.patch));
    for (const item of swept) item.invoice = id;
    const invoice = this.render(record);
    if (!origin.silent) this.events.record('invoice.created', invoice, null, origin);
    return invoice;
  }

  /** `keys` are the request's parameter names: once finalized only a few may appear. */
  update(record: InvoiceRecord, patch: InvoicePatch, keys: readonly string[], origin: WriteOrigin): Invoice {
    if (record.state.status !== 'draft') {
      const refused = keys.find((key) => !FINALIZED_UPDATABLE.has(key));
      if (refused !== undefined) throw refuse.finalizedUpdate(refused);
    }
    return this.changes.apply(record, (s) => applyInvoicePatch(s, patch), [], origin);
  }

  remove(record: InvoiceRecord, origin: WriteOrigin): DeletedInvoice {
    if (record.state.status !== 'draft') throw refuse.onlyDeleteDrafts();
    const snapshot = this.render(record);
    // The draft's items go with it: on Stripe they cannot be reused afterwards.
    for (const id of record.state.lineItemIds) {
      const item = this.items.get(id);
      if (item !== undefined) item.deleted = true;
    }
    record.deleted = true;
    if (!origin.silent) this.events.record('invoice.deleted', snapshot, null, origin);
    return deletedInvoiceStub(record.id);
  }
}
