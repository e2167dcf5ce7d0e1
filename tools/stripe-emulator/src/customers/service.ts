import type { MonotonicSeconds } from '../clock';
import type { EventRecorder, WriteOrigin } from '../events/recorder';
import { newCustomerId, newInvoicePrefix } from '../ids';
import { resourceMissing } from '../stripe/errors';
import { buildCustomer, DEFAULT_FIELDS, deletedStub, fieldsOf, type Customer, type CustomerFields, type DeletedCustomer } from './object';
import { applyCustomerPatch, type CustomerPatch } from './params';
import type { CustomerRecord, CustomerStore } from './store';

const TRACKED: ReadonlyArray<keyof CustomerFields> = ['address', 'balance', 'description', 'email', 'metadata', 'name', 'phone', 'preferred_locales', 'shipping', 'tax_exempt'];

/** Stripe's `previous_attributes`: old values of changed fields; metadata only lists changed keys. */
export function previousAttributes(before: Customer, after: Customer): Record<string, unknown> | null {
  const previous: Record<string, unknown> = {};
  for (const key of TRACKED) {
    if (key === 'metadata') {
      const changed: Record<string, string | null> = {};
      for (const k of new Set([...Object.keys(before.metadata), ...Object.keys(after.metadata)])) {
        if (before.metadata[k] !== after.metadata[k]) changed[k] = before.metadata[k] ?? null;
      }
      if (Object.keys(changed).length > 0) previous['metadata'] = changed;
    } else if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      previous[key] = before[key];
    }
  }
  return Object.keys(previous).length > 0 ? previous : null;
}

export interface SeedRequest {
  count: number;
  emailPrefix: string;
  namePrefix: string;
  emitEvents: boolean;
}

/** Customer writes shared by the API and the dashboard, so both record events identically. */
export class CustomerService {
  constructor(
    private readonly store: CustomerStore,
    private readonly events: EventRecorder,
    private readonly created: MonotonicSeconds,
  ) {}

  retrieve(id: string): Customer | DeletedCustomer {
    const record = this.require(id);
    return record.deleted ? deletedStub(id) : record.customer;
  }

  create(patch: CustomerPatch, origin: WriteOrigin): Customer {
    const customer = buildCustomer(this.freshId(), this.created.next(), newInvoicePrefix(), applyCustomerPatch(DEFAULT_FIELDS, patch));
    this.store.insert(customer);
    if (!origin.silent) this.events.record('customer.created', customer, null, origin);
    return customer;
  }

  update(id: string, patch: CustomerPatch, origin: WriteOrigin): Customer {
    const record = this.requireLive(id);
    const before = record.customer;
    const after = buildCustomer(before.id, before.created, before.invoice_prefix, applyCustomerPatch(fieldsOf(before), patch));
    const previous = previousAttributes(before, after);
    // Stripe emits no event (and keeps the object) when an update changes nothing.
    if (previous === null) return before;
    this.store.replace(record, after);
    if (!origin.silent) this.events.record('customer.updated', after, previous, origin);
    return after;
  }

  remove(id: string, origin: WriteOrigin): DeletedCustomer {
    const record = this.requireLive(id);
    const snapshot = this.store.markDeleted(record);
    if (!origin.silent) this.events.record('customer.deleted', snapshot, null, origin);
    return deletedStub(id);
  }

  /** Bulk insert for backfill tests: skips per-request work, and events unless asked. */
  seed(request: SeedRequest): number {
    const origin: WriteOrigin = { requestId: null, idempotencyKey: null };
    for (let i = 0; i < request.count; i++) {
      const fields: CustomerFields = {
        ...DEFAULT_FIELDS,
        email: `${request.emailPrefix}${i}@example.com`,
        name: `${request.namePrefix}${i}`,
      };
      const customer = buildCustomer(this.freshId(), this.created.next(), newInvoicePrefix(), fields);
      this.store.insert(customer);
      if (request.emitEvents) this.events.record('customer.created', customer, null, origin);
    }
    return request.count;
  }

  private freshId(): string {
    let id = newCustomerId();
    while (this.store.has(id)) id = newCustomerId();
    return id;
  }

  private require(id: string): CustomerRecord {
    const record = this.store.get(id);
    if (record === undefined) throw resourceMissing('customer', id);
    return record;
  }

  private requireLive(id: string): CustomerRecord {
    const record = this.require(id);
    if (record.deleted) throw resourceMissing('customer', id);
    return record;
  }
}
