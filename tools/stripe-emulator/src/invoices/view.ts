import type { CustomerStore } from '../customers/store';
import type { InvoiceItemStore } from '../invoiceitems/store';
import { buildLine, type InvoiceLineItem } from './line';
import { buildInvoice, snapshotOf, type CustomerSnapshot, type Invoice, type InvoiceState } from './object';

const NO_CUSTOMER: CustomerSnapshot = { address: null, email: null, name: null, phone: null, shipping: null, tax_exempt: 'none' };

/** Serialises invoices from their state, their items and (while a draft) the live customer. */
export class InvoiceView {
  constructor(
    private readonly items: InvoiceItemStore,
    private readonly customers: CustomerStore,
    private readonly accountCountry = 'US',
  ) {}

  lines(state: InvoiceState): InvoiceLineItem[] {
    const out: InvoiceLineItem[] = [];
    for (const id of state.lineItemIds) {
      const item = this.items.get(id);
      if (item !== undefined && !item.deleted) out.push(buildLine({ id: item.id, lineId: item.lineId, fields: item.fields }, state.id));
    }
    return out;
  }

  customerOf(state: InvoiceState): CustomerSnapshot {
    const record = this.customers.get(state.customer);
    return record === undefined ? NO_CUSTOMER : snapshotOf(record.customer);
  }

  render(state: InvoiceState): Invoice {
    return buildInvoice(state, this.lines(state), this.customerOf(state), this.accountCountry);
  }
}
