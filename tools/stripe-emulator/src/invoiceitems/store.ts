import { paginate, type Page, type PageRequest } from '../stripe/pagination';
import type { InvoiceItemFields } from './object';

export interface InvoiceItemRecord {
  readonly seq: number;
  readonly id: string;
  /** `date`, the item's creation second. */
  readonly created: number;
  readonly customer: string;
  /** The line id this item has on its invoice (Stripe's `il_…`). */
  readonly lineId: string;
  invoice: string | null;
  /** Replaced, never mutated, on every change; the object is built from it on each read. */
  fields: InvoiceItemFields;
  deleted: boolean;
}

export interface InvoiceItemFilter {
  customer?: string;
  invoice?: string;
  /** true: only items on no invoice yet; false: only items on an invoice. */
  pending?: boolean;
}

/** All invoice items in creation order; deleted ones stay (marked) so cursors keep resolving. */
export class InvoiceItemStore {
  private readonly byId = new Map<string, InvoiceItemRecord>();
  private ordered: InvoiceItemRecord[] = [];

  get(id: string): InvoiceItemRecord | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  insert(record: Omit<InvoiceItemRecord, 'seq' | 'deleted'>): InvoiceItemRecord {
    const stored: InvoiceItemRecord = { ...record, seq: this.ordered.length, deleted: false };
    this.ordered.push(stored);
    this.byId.set(stored.id, stored);
    return stored;
  }

  /** Live items of a customer not yet on an invoice, newest first (the order Stripe sweeps them in). */
  pendingFor(customer: string, currency: string | undefined): InvoiceItemRecord[] {
    const out: InvoiceItemRecord[] = [];
    for (let i = this.ordered.length - 1; i >= 0; i--) {
      const r = this.ordered[i];
      if (r === undefined || r.deleted || r.invoice !== null || r.customer !== customer) continue;
      if (currency === undefined || r.fields.currency === currency) out.push(r);
    }
    return out;
  }

  list(page: PageRequest, filter: InvoiceItemFilter): Page<InvoiceItemRecord> {
    return paginate(this.ordered, page, (r) => {
      if (r.deleted) return false;
      if (filter.customer !== undefined && r.customer !== filter.customer) return false;
      if (filter.invoice !== undefined && r.invoice !== filter.invoice) return false;
      if (filter.pending !== undefined && (r.invoice === null) !== filter.pending) return false;
      return true;
    });
  }

  clear(): void {
    this.byId.clear();
    this.ordered = [];
  }
}
