import type { MonotonicSeconds } from '../clock';
import type { EventRecorder, WriteOrigin } from '../events/recorder';
import { newHostedToken } from '../ids';
import type { InvoiceChanges } from './changes';
import type { Invoice } from './object';
import { refuse } from './refusals';
import type { InvoiceRecord, InvoiceStore } from './store';
import type { InvoiceView } from './view';

export interface PayOptions {
  /** Paid outside Stripe: no payment attempt, no `invoice.payment_succeeded`. */
  outOfBand: boolean;
}

/**
 * The status machine: draft → open → paid | void | uncollectible (→ paid | void), with
 * Stripe's refusals for every other move.
 */
export class InvoiceTransitions {
  constructor(
    private readonly store: InvoiceStore,
    private readonly view: InvoiceView,
    private readonly changes: InvoiceChanges,
    private readonly events: EventRecorder,
    private readonly clock: MonotonicSeconds,
  ) {}

  finalize(record: InvoiceRecord, autoAdvance: boolean | undefined, origin: WriteOrigin): Invoice {
    if (record.state.status !== 'draft') throw refuse.alreadyFinalized();
    const now = this.clock.next();
    const customer = this.view.customerOf(record.state);
    const finalized = this.changes.apply(record, (s) => ({
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
    this.assertPayable(record);
    return this.settle(record, options, options.outOfBand ? 0 : 1, origin);
  }

  /** A declined payment attempt: the invoice stays as it is, one attempt further. */
  failPayment(record: InvoiceRecord, origin: WriteOrigin): Invoice {
    this.assertPayable(record);
    return this.changes.apply(record, (s) => ({ ...s, attempt_count: s.attempt_count + 1, attempted: true }), ['invoice.payment_failed'], origin);
  }

  void(record: InvoiceRecord, origin: WriteOrigin): Invoice {
    const { status } = record.state;
    if (status === 'paid') throw refuse.paidNotVoidable();
    if (status !== 'open' && status !== 'uncollectible') throw refuse.notOpen();
    const now = this.clock.next();
    return this.changes.apply(record, (s) => ({ ...s, status: 'void', status_transitions: { ...s.status_transitions, voided_at: now } }), ['invoice.voided'], origin);
  }

  markUncollectible(record: InvoiceRecord, origin: WriteOrigin): Invoice {
    const { status } = record.state;
    if (status === 'uncollectible') throw refuse.alreadyUncollectible();
    if (status !== 'open') throw refuse.notOpen();
    const now = this.clock.next();
    return this.changes.apply(record, (s) => ({ ...s, status: 'uncollectible', status_transitions: { ...s.status_transitions, marked_uncollectible_at: now } }), ['invoice.marked_uncollectible'], origin);
  }

  /** Emails a `send_invoice` invoice; a draft is finalized first. Sending changes nothing on the invoice. */
  send(record: InvoiceRecord, origin: WriteOrigin): Invoice {
    const { status, collection_method } = record.state;
    if (collection_method !== 'send_invoice' || (status !== 'draft' && status !== 'open')) throw refuse.cannotSend();
    const invoice = status === 'draft' ? this.finalize(record, undefined, origin) : this.view.render(record.state);
    if (!origin.silent) this.events.record('invoice.sent', invoice, null, origin);
    return invoice;
  }

  private assertPayable(record: InvoiceRecord): void {
    const { status } = record.state;
    if (status === 'paid') throw refuse.alreadyPaid();
    if (status !== 'open' && status !== 'uncollectible') throw refuse.notOpen();
  }

  private settle(record: InvoiceRecord, options: PayOptions, attempts: number, origin: WriteOrigin): Invoice {
    const now = this.clock.next();
    const due = this.view.render(record.state).amount_due;
    const events = options.outOfBand ? ['invoice.paid'] : ['invoice.paid', 'invoice.payment_succeeded'];
    return this.changes.apply(record, (s) => ({
      ...s,
      status: 'paid',
      amount_paid: due,
      attempt_count: s.attempt_count + attempts,
      attempted: s.attempted || !options.outOfBand,
      status_transitions: { ...s.status_transitions, paid_at: now },
    }), events, origin);
  }
}
