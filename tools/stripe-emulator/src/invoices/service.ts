import type { MonotonicSeconds } from '../clock';
import type { CustomerStore } from '../customers/store';
import type { EventRecorder, WriteOrigin } from '../events/recorder';
import { newHostedToken, newInvoiceId } from '../ids';
import type { InvoiceItemStore } from '../invoiceitems/store';
import { resourceMissing } from '../stripe/errors';
import { diffAttributes } from '../stripe/previous-attributes';
import { deletedInvoiceStub, type DeletedInvoice, type Invoice, type InvoiceState } from './object';
import { applyInvoicePatch, FINALIZED_UPDATABLE, type InvoiceCreate, type InvoicePatch } from './params';
import { refuse } from './refusals';
import type { InvoiceRecord, InvoiceStore } from './store';
import type { InvoiceView } from './view';

const NOT_DIFFED: ReadonlySet<string> = new Set(['lines']);

export interface PayOptions {
  outOfBand: boolean;
}

/**
 * Invoice writes and status transitions, shared by the API and the admin routes. Every change
 * records `invoice.updated` (with `previous_attributes`) and then the transition's own events,
 * in the order Stripe emits them.
 */
export class InvoiceService {
  constructor(
    private readonly store: InvoiceStore,
    private readonly items: InvoiceItemStore,
    private readonly customers: CustomerStore,
    private readonly view: InvoiceView,
    private readonly events: EventRecorder,
    private readonly clock: MonotonicSeconds,
  ) {}

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
    const state = applyInvoicePatch(draft, request.patch);
    for (const item of swept) item.invoice = id;
    const record = this.store.insert(state);
    const invoice = this.render(record);
    if (!origin.silent) this.events.record('invoice.created', invoice, null, origin);
    return invoice;
  }

  update(record: InvoiceRecord, patch: InvoicePatch, keys: readonly string[], origin: WriteOrigin): Invoice {
    if (record.state.status !== 'draft') {
      const refused = keys.find((key) => !FINALIZED_UPDATABLE.has(key));
      if (refused !== undefined) throw refuse.finalizedUpdate(refused);
    }
    return this.change(record, (s) => applyInvoicePatch(s, patch), [], origin);
  }

  remove(record: InvoiceRecord, origin: WriteOrigin): DeletedInvoice {
    if (record.state.status !== 'draft') throw refuse.onlyDeleteDrafts();
    const snapshot = this.render(record);
    // The draft's items go with it, as on Stripe, where they cannot be reused afterwards.
    for (const id of record.state.lineItemIds) {
      const item = this.items.get(id);
      if (item !== undefined) item.deleted = true;
    }
    record.deleted = true;
    if (!origin.silent) this.events.record('invoice.deleted', snapshot, null, origin);
    return deletedInvoiceStub(record.id);
  }

  finalize(record: InvoiceRecord, autoAdvance: boolean | undefined, origin: WriteOrigin): Invoice {
    if (record.state.status !== 'draft') throw refuse.alreadyFinalized();
    const now = this.clock.next();
    const customer = this.view.customerOf(record.state);
    const finalized = this.change(record, (s) => ({
      ...s,
      status: 'open',
      auto_advance: autoAdvance ?? s.auto_advance,
      number: s.number ?? this.store.nextNumber(),
      effective_at: now,
      ending_balance: 0,
      hostedToken: newHostedToken(),
      frozenCustomer: customer,
      status_transitions: { ...s.status_transitions, finalized_at: now },
    }), ['invoice.finalized'], origin);
    // Nothing to collect: Stripe settles a $0 invoice at finalization.
    if (finalized.amount_due === 0) return this.settle(record, { outOfBand: false }, 0, origin);
    return finalized;
  }

  /** `POST /v1/invoices/:id/pay`: a draft is finalized first, then paid in the same call. */
  pay(record: InvoiceRecord, options: PayOptions, origin: WriteOrigin): Invoice {
    if (record.state.status === 'draft') {
      const finalized = this.finalize(record, undefined, origin);
      if (finalized.status === 'paid') return finalized;
    }
    return this.collect(record, options, origin);
  }

  /** A successful payment of an open (or uncollectible) invoice, by the API or by the customer. */
  collect(record: InvoiceRecord, options: PayOptions, origin: WriteOrigin): Invoice {
    const { status } = record.state;
    if (status === 'paid') throw refuse.alreadyPaid();
    if (status !== 'open' && status !== 'uncollectible') throw refuse.notOpen();
    return this.settle(record, options, options.outOfBand ? 0 : 1, origin);
  }

  /** A declined payment attempt: the invoice stays open. */
  failPayment(record: InvoiceRecord, origin: WriteOrigin): Invoice {
    const { status } = record.state;
    if (status === 'paid') throw refuse.alreadyPaid();
    if (status !== 'open' && status !== 'uncollectible') throw refuse.notOpen();
    return this.change(record, (s) => ({ ...s, attempt_count: s.attempt_count + 1, attempted: true }), ['invoice.payment_failed'], origin);
  }

  void(record: InvoiceRecord, origin: WriteOrigin): Invoice {
    const { status } = record.state;
    if (status === 'paid') throw refuse.paidNotVoidable();
    if (status !== 'open' && status !== 'uncollectible') throw refuse.notOpen();
    const now = this.clock.next();
    return this.change(record, (s) => ({ ...s, status: 'void', status_transitions: { ...s.status_transitions, voided_at: now } }), ['invoice.voided'], origin);
  }

  markUncollectible(record: InvoiceRecord, origin: WriteOrigin): Invoice {
    const { status } = record.state;
    if (status === 'uncollectible') throw refuse.alreadyUncollectible();
    if (status !== 'open') throw refuse.notOpen();
    const now = this.clock.next();
    return this.change(record, (s) => ({ ...s, status: 'uncollectible', status_transitions: { ...s.status_transitions, marked_uncollectible_at: now } }), ['invoice.marked_uncollectible'], origin);
  }

  /** Emails a `send_invoice` invoice; a draft is finalized first. Nothing on the invoice changes. */
  send(record: InvoiceRecord, origin: WriteOrigin): Invoice {
    const { status, collection_method } = record.state;
    if (collection_method !== 'send_invoice' || (status !== 'draft' && status !== 'open')) throw refuse.cannotSend();
    const invoice = status === 'draft' ? this.finalize(record, undefined, origin) : this.render(record);
    if (!origin.silent) this.events.record('invoice.sent', invoice, null, origin);
    return invoice;
  }

  private settle(record: InvoiceRecord, options: PayOptions, attempts: number, origin: WriteOrigin): Invoice {
    const now = this.clock.next();
    const due = this.render(record).amount_due;
    const events = options.outOfBand ? ['invoice.paid'] : ['invoice.paid', 'invoice.payment_succeeded'];
    return this.change(record, (s) => ({
      ...s,
      status: 'paid',
      amount_paid: due,
      attempt_count: s.attempt_count + attempts,
      attempted: s.attempted || !options.outOfBand,
      status_transitions: { ...s.status_transitions, paid_at: now },
    }), events, origin);
  }

  /** Replaces the state, then records `invoice.updated` (if anything changed) and `then`. */
  private change(record: InvoiceRecord, next: (state: InvoiceState) => InvoiceState, then: readonly string[], origin: WriteOrigin): Invoice {
    const before = this.render(record);
    record.state = next(record.state);
    const after = this.render(record);
    if (origin.silent) return after;
    const previous = diffAttributes(before, after, NOT_DIFFED);
    if (previous !== null) this.events.record('invoice.updated', after, previous, origin);
    for (const type of then) this.events.record(type, after, null, origin);
    return after;
  }
}
