import Stripe from 'stripe';
import {
  type CustomerFields,
  type ErrorClass,
  type ExternalCustomer,
  type Integration,
  type ListPage,
  type NeutralChange,
  type SourceEvent,
  type WriteOptions,
} from '../types';
import { createStripeClient, type StripeConfig } from './config';
import { HANDLED_EVENTS, stripeEventToChange } from './changes';
import { stripeFeed } from './feed';
import { classifyStripeError } from './errors';
import { fromStripe, toStripeParams } from './mapping';

export class StripeIntegration implements Integration {
  readonly system = 'stripe';
  readonly objectType = 'customer';
  readonly feed = stripeFeed((fromTs, toTs) => this.listEvents(fromTs, toTs));
  private readonly stripe: Stripe;

  constructor(config: StripeConfig) {
    this.stripe = createStripeClient(config);
  }

  async createCustomer(fields: CustomerFields, internalId: number, opts: WriteOptions): Promise<ExternalCustomer> {
    const created = await this.stripe.customers.create(
      { ...toStripeParams(fields, 'create'), metadata: { internal_id: String(internalId) } },
      { idempotencyKey: opts.idempotencyKey },
    );
    return fromStripe(created);
  }

  async updateCustomer(externalId: string, fields: CustomerFields, opts: WriteOptions): Promise<ExternalCustomer> {
    const updated = await this.stripe.customers.update(externalId, toStripeParams(fields), { idempotencyKey: opts.idempotencyKey });
    return fromStripe(updated);
  }

  async deleteCustomer(externalId: string, opts: WriteOptions): Promise<void> {
    try {
      await this.stripe.customers.del(externalId, {}, { idempotencyKey: opts.idempotencyKey });
    } catch (err) {
      // Already gone is what we wanted.
      if (err instanceof Stripe.errors.StripeInvalidRequestError && err.statusCode === 404) return;
      throw err;
    }
  }

  async getCustomer(externalId: string): Promise<ExternalCustomer | null> {
    try {
      return fromStripe(await this.stripe.customers.retrieve(externalId));
    } catch (err) {
      if (err instanceof Stripe.errors.StripeInvalidRequestError && err.statusCode === 404) return null;
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

  async listCustomers(cursor: string | null, limit: number): Promise<ListPage> {
    const page = await this.stripe.customers.list({ limit, ...(cursor ? { starting_after: cursor } : {}) });
    const items = page.data.map(fromStripe);
    return { items, nextCursor: page.has_more ? (page.data.at(-1)?.id ?? null) : null };
  }

  toNeutralChange(event: Record<string, unknown>): NeutralChange | null {
    return stripeEventToChange(event);
  }

  /** Customer events created in [fromTs, toTs) (seconds), oldest first: what the feed reads. */
  async listEvents(fromTs: number, toTs: number): Promise<SourceEvent[]> {
    const out: SourceEvent[] = [];
    const pages = this.stripe.events.list({ created: { gte: fromTs, lt: toTs }, types: Object.keys(HANDLED_EVENTS), limit: 100 });
    for await (const e of pages) {
      const object = e.data.object as { id?: string };
      out.push({ eventId: e.id, eventType: e.type, objectId: object.id ?? e.id, created: e.created, event: e as unknown as Record<string, unknown> });
    }
    // Stripe lists newest first; we apply oldest first. Reversing (not sorting by `created`, which
    // has one-second resolution) keeps the order of events within the same second.
    return out.reverse();
  }

  classifyError(err: unknown): ErrorClass {
    return classifyStripeError(err);
  }

  async ping(): Promise<void> {
    await this.stripe.customers.list({ limit: 1 });
  }
}
