import { lowerBound, paginate, type Page, type PageRequest } from '../stripe/pagination';
import type { Customer, DeletedCustomerSnapshot } from './object';

export interface CustomerRecord {
  readonly seq: number;
  readonly id: string;
  readonly created: number;
  customer: Customer;
  deleted: boolean;
}

/**
 * All customers in insertion order. Deleted ones stay (marked) so ids keep resolving to the
 * deleted stub and cursors pointing at them remain valid; lists skip them.
 */
export class CustomerStore {
  private readonly byId = new Map<string, CustomerRecord>();
  private ordered: CustomerRecord[] = [];
  // email → live records in seq order: `GET /v1/customers?email=` is how integrations
  // look customers up, so it must not scan 100k records per call.
  private readonly byEmail = new Map<string, CustomerRecord[]>();
  private live = 0;

  get liveCount(): number {
    return this.live;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): CustomerRecord | undefined {
    return this.byId.get(id);
  }

  insert(customer: Customer): CustomerRecord {
    const record: CustomerRecord = { seq: this.ordered.length, id: customer.id, created: customer.created, customer, deleted: false };
    this.ordered.push(record);
    this.byId.set(record.id, record);
    this.indexEmail(record);
    this.live++;
    return record;
  }

  replace(record: CustomerRecord, next: Customer): void {
    if (record.customer.email !== next.email) {
      this.unindexEmail(record);
      record.customer = next;
      this.indexEmail(record);
    } else {
      record.customer = next;
    }
  }

  markDeleted(record: CustomerRecord): DeletedCustomerSnapshot {
    this.unindexEmail(record);
    record.deleted = true;
    this.live--;
    return { ...record.customer, deleted: true };
  }

  list(page: PageRequest, email?: string): Page<CustomerRecord> {
    if (email !== undefined) return paginate(this.byEmail.get(email) ?? [], page, isLive);
    return paginate(this.ordered, page, isLive);
  }

  /** Newest first, optionally below a seq (search pagination). */
  *scanNewestFirst(belowSeq = Number.POSITIVE_INFINITY): Generator<CustomerRecord> {
    for (let i = Math.min(this.ordered.length, belowSeq) - 1; i >= 0; i--) {
      const record = this.ordered[i];
      if (record !== undefined && !record.deleted) yield record;
    }
  }

  all(includeDeleted: boolean): Array<Customer | DeletedCustomerSnapshot> {
    const out: Array<Customer | DeletedCustomerSnapshot> = [];
    for (const record of this.ordered) {
      if (!record.deleted) out.push(record.customer);
      else if (includeDeleted) out.push({ ...record.customer, deleted: true });
    }
    return out;
  }

  clear(): void {
    this.byId.clear();
    this.byEmail.clear();
    this.ordered = [];
    this.live = 0;
  }

  private indexEmail(record: CustomerRecord): void {
    const email = record.customer.email;
    if (email === null) return;
    const list = this.byEmail.get(email);
    if (list === undefined) {
      this.byEmail.set(email, [record]);
      return;
    }
    // An updated (older) customer can join a list of newer ones; keep seq order.
    list.splice(lowerBound(list, (r) => r.seq > record.seq), 0, record);
  }

  private unindexEmail(record: CustomerRecord): void {
    const email = record.customer.email;
    if (email === null) return;
    const list = this.byEmail.get(email);
    if (list === undefined) return;
    const at = lowerBound(list, (r) => r.seq >= record.seq);
    if (list[at] === record) list.splice(at, 1);
    if (list.length === 0) this.byEmail.delete(email);
  }
}

const isLive = (record: CustomerRecord): boolean => !record.deleted;
