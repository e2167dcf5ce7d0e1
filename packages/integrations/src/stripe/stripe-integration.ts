import type Stripe from 'stripe';
import type { ErrorClass, Integration, NeutralChange, SourceEvent } from '../types';
import { createStripeClient, type StripeConfig } from './config';
import { HANDLED_EVENTS, stripeEventToChange } from './changes';
import { stripeFeed } from './feed';
import { classifyStripeError } from './errors';
import { StripeCustomers } from './customers';
import { StripeInvoices } from './invoices';

export class StripeIntegration implements Integration {
  readonly system = 'stripe';
  readonly feed = stripeFeed((fromTs, toTs) => this.listEvents(fromTs, toTs));
  readonly catalogs: { customer: StripeCustomers; invoice: StripeInvoices };
  private readonly stripe: Stripe;

  constructor(config: StripeConfig) {
    this.stripe = createStripeClient(config);
    this.catalogs = { customer: new StripeCustomers(this.stripe, config.fieldMap), invoice: new StripeInvoices(this.stripe) };
  }

  toNeutralChange(event: Record<string, unknown>): NeutralChange | null {
    return stripeEventToChange(event);
  }

  /** Customer and invoice events created in [fromTs, toTs) (seconds), oldest first: what the feed reads. */
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
