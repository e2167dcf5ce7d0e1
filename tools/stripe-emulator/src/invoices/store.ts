import { newInvoicePrefix } from '../ids';
import { paginate, type Page, type PageRequest } from '../stripe/pagination';
import type { CreatedRange } from '../stripe/params';
import type { CollectionMethod, InvoiceState, InvoiceStatus } from './object';

export interface InvoiceRecord {
  readonly seq: number;
  readonly id: string;
  readonly created: number;
  state: InvoiceState;
  deleted: boolean;
}

export interface InvoiceFilter {
  customer?: string;
  status?: InvoiceStatus;
  collectionMethod?: CollectionMethod;
  dueDate?: CreatedRange;
}

function inRange(value: number | null, range: CreatedRange): boolean {
  if (value === null) return false;
  return (range.gt === undefined || value > range.gt)
    && (range.gte === undefined || value >= range.gte)
    && (range.lt === undefined || value < range.lt)
    && (range.lte === undefined || value <= range.lte);
}

/**
 * All invoices in creation order. Deleted drafts stay (marked) so cursors pointing at them
 * keep working; lists skip them. Numbers are sequential per account: `<PREFIX>-0001`, ….
 */
export class InvoiceStore {
  private readonly byId = new Map<string, InvoiceRecord>();
  private ordered: InvoiceRecord[] = [];
  private sequence = 0;
  private prefix = newInvoicePrefix();

  get(id: string): InvoiceRecord | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  insert(state: InvoiceState): InvoiceRecord {
    const record: InvoiceRecord = { seq: this.ordered.length, id: state.id, created: state.created, state, deleted: false };
    this.ordered.push(record);
    this.byId.set(record.id, record);
    return record;
  }

  nextNumber(): string {
    this.sequence++;
    return `${this.prefix}-${String(this.sequence).padStart(4, '0')}`;
  }

  list(page: PageRequest, filter: InvoiceFilter): Page<InvoiceRecord> {
    return paginate(this.ordered, page, ({ deleted, state }) => {
      if (deleted) return false;
      if (filter.customer !== undefined && state.customer !== filter.customer) return false;
      if (filter.status !== undefined && state.status !== filter.status) return false;
      if (filter.collectionMethod !== undefined && state.collection_method !== filter.collectionMethod) return false;
      if (filter.dueDate !== undefined && !inRange(state.due_date, filter.dueDate)) return false;
      return true;
    });
  }

  all(includeDeleted: boolean): InvoiceRecord[] {
    return this.ordered.filter((r) => includeDeleted || !r.deleted);
  }

  clear(): void {
    this.byId.clear();
    this.ordered = [];
    this.sequence = 0;
    this.prefix = newInvoicePrefix();
  }
}
