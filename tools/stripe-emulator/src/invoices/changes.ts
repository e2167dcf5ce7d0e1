import type { EventRecorder, WriteOrigin } from '../events/recorder';
import { diffAttributes } from '../stripe/previous-attributes';
import type { Invoice, InvoiceState } from './object';
import type { InvoiceRecord } from './store';
import type { InvoiceView } from './view';

const NOT_DIFFED: ReadonlySet<string> = new Set(['lines']);

/**
 * The one way an invoice changes: replace its state, then record `invoice.updated` (with
 * `previous_attributes`, if anything visible changed) followed by the change's own events,
 * in the order Stripe emits them (e.g. `invoice.updated`, `invoice.paid`, `invoice.payment_succeeded`).
 */
export class InvoiceChanges {
  constructor(
    private readonly view: InvoiceView,
    private readonly events: EventRecorder,
  ) {}

  apply(record: InvoiceRecord, next: (state: InvoiceState) => InvoiceState, then: readonly string[], origin: WriteOrigin): Invoice {
    const before = this.view.render(record.state);
    record.state = next(record.state);
    const after = this.view.render(record.state);
    if (origin.silent) return after;
    const previous = diffAttributes(before, after, NOT_DIFFED);
    if (previous !== null) this.events.record('invoice.updated', after, previous, origin);
    for (const type of then) this.events.record(type, after, null, origin);
    return after;
  }
}
