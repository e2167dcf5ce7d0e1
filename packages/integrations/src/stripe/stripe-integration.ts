import Stripe from 'stripe';
import {
  WebhookVerificationError,
  type CustomerFields,
  type ErrorClass,
  type ExternalCustomer,
  type Integration,
  type ListPage,
  type NeutralChange,
  type VerifiedWebhook,
  type WriteOptions,
} from '../types';
import { createStripeClient, type StripeConfig } from './config';
import { classifyStripeError } from './errors';
import { fromStripe, toStripeParams } from './mapping';

const HANDLED: Record<string, NeutralChange['kind']> = {
  'customer.created': 'created',
  'customer.updated': 'updated',
  'customer.deleted': 'deleted',
};

/** Stripe webhooks are accepted for 5 minutes after they were signed. */
const SIGNATURE_TOLERANCE_S = 300;

export class StripeIntegration implements Integration {
  readonly system = 'stripe';
  private readonly stripe: Stripe;

  constructor(private readonly config: StripeConfig) {
    this.stripe = createStripeClient(config);
  }

  async createCustomer(fields: CustomerFields, internalId: number, opts: WriteOptions): Promise<ExternalCustomer> {
    const created = await this.stripe.customers.create(
      { ...toStripeParams(fields), metadata: { internal_id: String(internalId) } },
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

  verifyWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): VerifiedWebhook {
    const signature = headers['stripe-signature'];
    if (typeof signature !== 'string' || signature.length === 0) throw new WebhookVerificationError('missing Stripe-Signature header');
    const verifier = this.stripe.webhooks.signature;
    if (!verifier) throw new Error('stripe SDK has no signature verifier');
    let lastError = 'no webhook secret configured';
    for (const secret of this.config.webhookSecrets) {
      try {
        // Verifies the HMAC and the timestamp only; the body is parsed by us below.
        verifier.verifyHeader(rawBody, signature, secret, SIGNATURE_TOLERANCE_S);
        return parseEvent(rawBody);
      } catch (err) {
        if (err instanceof WebhookVerificationError) throw err;
        lastError = err instanceof Error ? err.message : String(err);
      }
    }
    throw new WebhookVerificationError(`invalid signature: ${lastError.split('\n')[0]}`);
  }

  toNeutralChange(event: Record<string, unknown>): NeutralChange | null {
    const kind = HANDLED[String(event.type)];
    const object = (event.data as { object?: Stripe.Customer } | undefined)?.object;
    if (!kind || !object || object.object !== 'customer' || typeof object.id !== 'string') return null;
    const customer = fromStripe(kind === 'deleted' ? { ...object, deleted: undefined } as Stripe.Customer : object);
    return {
      action: kind === 'deleted' ? 'delete' : 'upsert',
      kind,
      externalId: object.id,
      eventId: String(event.id),
      sourceTs: Number(event.created),
      customer,
    };
  }

  classifyError(err: unknown): ErrorClass {
    return classifyStripeError(err);
  }

  async ping(): Promise<void> {
    await this.stripe.customers.list({ limit: 1 });
  }
}

/** A signed body that is not a JSON event is still refused: the signature proves origin, not shape. */
function parseEvent(rawBody: Buffer): VerifiedWebhook {
  let event: unknown;
  try {
    event = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new WebhookVerificationError('body is not valid JSON');
  }
  const e = event as { id?: unknown; type?: unknown; created?: unknown; data?: { object?: { id?: unknown } } };
  if (!e || typeof e !== 'object' || typeof e.id !== 'string' || typeof e.type !== 'string' || typeof e.created !== 'number') {
    throw new WebhookVerificationError('body is not a Stripe event');
  }
  const objectId = typeof e.data?.object?.id === 'string' ? e.data.object.id : e.id;
  return { eventId: e.id, eventType: e.type, objectId, created: e.created, event: event as Record<string, unknown> };
}
