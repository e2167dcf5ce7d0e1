import Stripe from 'stripe';
import type { CatalogAdapter, CustomerFields, ExternalCustomer, FieldMap, ListPage, WriteOptions } from '../types';
import { fromStripe, toStripeParams } from './mapping';

/** Our customers as Stripe customers; our id rides in metadata.internal_id. */
export class StripeCustomers implements CatalogAdapter<CustomerFields, ExternalCustomer> {
  readonly objectType = 'customer';

  constructor(
    private readonly stripe: Stripe,
    readonly fieldMap?: FieldMap | undefined,
  ) {}

  async create(fields: CustomerFields, internalId: number, opts: WriteOptions): Promise<ExternalCustomer> {
    const created = await this.stripe.customers.create(
      { ...toStripeParams(fields, 'create'), metadata: { internal_id: String(internalId) } },
      { idempotencyKey: opts.idempotencyKey },
    );
    return fromStripe(created);
  }

  async update(externalId: string, fields: CustomerFields, opts: WriteOptions): Promise<ExternalCustomer> {
    const updated = await this.stripe.customers.update(externalId, toStripeParams(fields), { idempotencyKey: opts.idempotencyKey });
    return fromStripe(updated);
  }

  async delete(externalId: string, opts: WriteOptions): Promise<void> {
    try {
      await this.stripe.customers.del(externalId, {}, { idempotencyKey: opts.idempotencyKey });
    } catch (err) {
      // Already gone is what we wanted.
      if (isNotFound(err)) return;
      throw err;
    }
  }

  async get(externalId: string): Promise<ExternalCustomer | null> {
    try {
      return fromStripe(await this.stripe.customers.retrieve(externalId));
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async findByInternalId(internalId: number): Promise<ExternalCustomer | null> {
    const found = await this.stripe.customers.search({ query: `metadata['internal_id']:'${internalId}'`, limit: 10 });
    const live = found.data.map(fromStripe).filter((c) => !c.deleted && c.internalId === internalId);
    // Oldest first: if a duplicate ever slipped in, the first one is the one we keep.
    live.sort((a, b) => a.createdTs - b.createdTs || a.externalId.localeCompare(b.externalId));
    return live[0] ?? null;
  }

  async list(cursor: string | null, limit: number): Promise<ListPage> {
    const page = await this.stripe.customers.list({ limit, ...(cursor ? { starting_after: cursor } : {}) });
    const items = page.data.map(fromStripe);
    return { items, nextCursor: page.has_more ? (page.data.at(-1)?.id ?? null) : null };
  }
}

function isNotFound(err: unknown): boolean {
  return err instanceof Stripe.errors.StripeInvalidRequestError && err.statusCode === 404;
}
