import Stripe from 'stripe';
import type { RunningEmulator, StatsSnapshot } from './index';
import { admin, raw, rejectionOf, sdk, startReceiver, startTestEmulator, type Receiver } from './test/helpers';

const SECRET = 'whsec_invoices';
let emulator: RunningEmulator;
let stripe: Stripe;
let receiver: Receiver;

beforeAll(async () => {
  emulator = await startTestEmulator();
  stripe = sdk(emulator);
});
afterAll(() => emulator.close());
beforeEach(async () => {
  emulator.state.reset({ endpoints: true, faults: true });
  receiver = await startReceiver();
  await admin(emulator, 'POST', '/_emulator/webhook-endpoints', { url: receiver.url, secret: SECRET });
});
afterEach(() => receiver.close());

/** Event types oldest first, the order they were recorded in. */
async function typesInOrder(params: Stripe.EventListParams = {}): Promise<string[]> {
  const types: string[] = [];
  for await (const event of stripe.events.list({ limit: 100, ...params })) types.push(event.type);
  return types.reverse();
}

async function openInvoice(amount = 1500): Promise<Stripe.Invoice> {
  const { id: customer } = await stripe.customers.create({ email: 'events@example.com' });
  const invoice = await stripe.invoices.create({ customer });
  await stripe.invoiceItems.create({ customer, invoice: invoice.id, amount, currency: 'usd' });
  return stripe.invoices.finalizeInvoice(invoice.id);
}

describe('invoice events', () => {
  it('are recorded in Stripe’s order for create, finalize and pay, with previous_attributes', async () => {
    const { id } = await openInvoice();
    await stripe.invoices.pay(id);
    expect(await typesInOrder()).toEqual([
      'customer.created',
      'invoice.created',
      'invoiceitem.created',
      'invoice.updated',
      'invoice.finalized',
      'invoice.updated',
      'invoice.paid',
      'invoice.payment_succeeded',
    ]);
    const updates = (await stripe.events.list({ type: 'invoice.updated' })).data;
    const [paidUpdate, finalizeUpdate] = updates;
    expect(finalizeUpdate!.data.previous_attributes).toMatchObject({ status: 'draft', number: null, hosted_invoice_url: null, status_transitions: { finalized_at: null } });
    expect(paidUpdate!.data.previous_attributes).toMatchObject({ status: 'open', amount_paid: 0, amount_remaining: 1500, attempted: false });
    expect(paidUpdate!.data.previous_attributes).not.toHaveProperty('lines');
    const [succeeded] = (await stripe.events.list({ type: 'invoice.payment_succeeded' })).data;
    expect(succeeded!.data.object).toMatchObject({ id, object: 'invoice', status: 'paid', amount_paid: 1500 });
    expect(succeeded!.request!.id).toMatch(/^req_/);
  });

  it('are recorded for void, mark_uncollectible, send, delete and metadata updates', async () => {
    const voided = await openInvoice();
    await stripe.invoices.voidInvoice(voided.id);
    const uncollectible = await openInvoice();
    await stripe.invoices.markUncollectible(uncollectible.id);
    const { id: customer } = await stripe.customers.create({ name: 'sender' });
    const sendable = await stripe.invoices.create({ customer, collection_method: 'send_invoice', days_until_due: 7 });
    await stripe.invoiceItems.create({ customer, invoice: sendable.id, amount: 100, currency: 'usd' });
    await stripe.invoices.sendInvoice(sendable.id);
    await stripe.invoices.sendInvoice(sendable.id);
    const draft = await stripe.invoices.create({ customer });
    await stripe.invoices.update(draft.id, { metadata: { k: 'v' } });
    await stripe.invoices.update(draft.id, { metadata: { k: 'v' } }); // unchanged: no event
    await stripe.invoices.del(draft.id);

    const invoiceEvents = (await typesInOrder({ type: 'invoice.*' })).filter((t) => t !== 'invoice.created');
    expect(invoiceEvents).toEqual([
      'invoice.updated', 'invoice.finalized', 'invoice.updated', 'invoice.voided',
      'invoice.updated', 'invoice.finalized', 'invoice.updated', 'invoice.marked_uncollectible',
      'invoice.updated', 'invoice.finalized', 'invoice.sent', 'invoice.sent',
      'invoice.updated', 'invoice.deleted',
    ]);
    const [metadataUpdate] = (await stripe.events.list({ type: 'invoice.updated', limit: 1 })).data;
    expect(metadataUpdate!.data.previous_attributes).toEqual({ metadata: { k: null } });
    const [deleted] = (await stripe.events.list({ type: 'invoice.deleted' })).data;
    expect(deleted!.data.object).toMatchObject({ id: draft.id, object: 'invoice', status: 'draft' });
    expect((await stripe.events.list({ types: ['invoice.voided', 'invoice.marked_uncollectible'] })).data.map((e) => (e.data.object as Stripe.Invoice).id)).toEqual([uncollectible.id, voided.id]);
  });

  it('cover invoice items: created, updated with previous_attributes, deleted', async () => {
    const { id: customer } = await stripe.customers.create({ name: 'items' });
    const item = await stripe.invoiceItems.create({ customer, amount: 100, currency: 'eur', description: 'one' });
    await stripe.invoiceItems.update(item.id, { amount: 250, description: 'two' });
    await stripe.invoiceItems.del(item.id);
    expect(await typesInOrder({ type: 'invoiceitem.*' })).toEqual(['invoiceitem.created', 'invoiceitem.updated', 'invoiceitem.deleted']);
    const [deleted, updated] = (await stripe.events.list({ type: 'invoiceitem.*' })).data;
    expect(updated!.data.previous_attributes).toMatchObject({ amount: 100, description: 'one' });
    expect(deleted!.data.object).toMatchObject({ id: item.id, object: 'invoiceitem', deleted: true, amount: 250 });
  });

  it('are delivered as signed webhooks the SDK verifies', async () => {
    const { id } = await openInvoice(900);
    await stripe.invoices.pay(id);
    const hooks = await receiver.waitFor(8);
    const events = hooks.map((h) => stripe.webhooks.constructEvent(h.body, h.signature, SECRET));
    expect(events.map((e) => e.type).sort()).toEqual([
      'customer.created', 'invoice.created', 'invoice.finalized', 'invoice.paid', 'invoice.payment_succeeded', 'invoice.updated', 'invoice.updated', 'invoiceitem.created',
    ]);
    const paid = events.find((e) => e.type === 'invoice.paid')!;
    expect(paid.data.object).toMatchObject({ id, status: 'paid', amount_paid: 900, lines: { total_count: 1 } });
    expect(() => stripe.webhooks.constructEvent(hooks[0]!.body, hooks[0]!.signature, 'whsec_other')).toThrow(Stripe.errors.StripeSignatureVerificationError);
    await emulator.state.webhooks.whenIdle();
    expect(emulator.state.webhooks.counters()).toMatchObject({ succeeded: 8, failed: 0, pending: 0 });
  });
});

describe('idempotency, faults and stats on the invoice routes', () => {
  it('replays an idempotent invoice create without a second invoice or event', async () => {
    const { id: customer } = await stripe.customers.create({ name: 'idem' });
    const first = await stripe.invoices.create({ customer, description: 'once' }, { idempotencyKey: 'inv-create-1' });
    const again = await stripe.invoices.create({ customer, description: 'once' }, { idempotencyKey: 'inv-create-1' });
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect((await stripe.invoices.list()).data).toHaveLength(1);
    expect((await stripe.events.list({ type: 'invoice.created' })).data).toHaveLength(1);
    const other = await rejectionOf(stripe.invoices.create({ customer, description: 'twice' }, { idempotencyKey: 'inv-create-1' }));
    expect(other).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    // Keys are scoped by path: the same key on /finalize is a new request.
    const finalized = await stripe.invoices.finalizeInvoice(first.id, {}, { idempotencyKey: 'inv-create-1' });
    expect(finalized.status).toBe('paid');
  });

  it('counts requests by route template and injects errors before any state change', async () => {
    const { id } = await openInvoice();
    await stripe.invoices.pay(id);
    await stripe.invoices.listLineItems(id);
    const stats = (await admin<StatsSnapshot>(emulator, 'GET', '/_emulator/stats')).body;
    expect(stats.requests.by_route).toMatchObject({
      'POST /v1/invoices': 1,
      'POST /v1/invoiceitems': 1,
      'POST /v1/invoices/:id/finalize': 1,
      'POST /v1/invoices/:id/pay': 1,
      'GET /v1/invoices/:id/lines': 1,
    });
    expect(stats.writes).toBe(5);

    const open = await openInvoice();
    const events = (await stripe.events.list({ limit: 100 })).data.length;
    await admin(emulator, 'POST', '/_emulator/faults', { error_rate: 1 });
    const err = await rejectionOf(stripe.invoices.voidInvoice(open.id));
    expect(err).toMatchObject({ statusCode: 500, type: 'StripeAPIError' });
    await admin(emulator, 'POST', '/_emulator/faults', { error_rate: 0, outage: true });
    expect((await rejectionOf(stripe.invoices.retrieve(open.id))).statusCode).toBe(503);
    await admin(emulator, 'POST', '/_emulator/faults', { outage: false });
    expect((await stripe.invoices.retrieve(open.id)).status).toBe('open');
    expect((await stripe.events.list({ limit: 100 })).data).toHaveLength(events);
  });

  it('rate limits the invoice routes like the customer ones', async () => {
    await admin(emulator, 'POST', '/_emulator/faults', { rate_limit_rps: 2 });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => stripe.invoices.list({ limit: 1 })));
    const limited = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(limited.length).toBeGreaterThanOrEqual(5);
    expect(limited[0]!.reason).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
  });

  it('adds the configured latency to the invoice routes', async () => {
    const draft = await stripe.invoices.create({ customer: (await stripe.customers.create({ name: 'slow' })).id });
    await admin(emulator, 'POST', '/_emulator/faults', { latency_ms: 150 });
    const started = Date.now();
    await stripe.invoices.finalizeInvoice(draft.id);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('answers unknown invoice sub-routes with Stripe’s 404', async () => {
    const res = await raw(emulator, 'POST', '/v1/invoices/in_x/refund');
    expect(res.status).toBe(404);
    expect((res.body as { error: { message: string } }).error.message).toMatch(/^Unrecognized request URL \(POST: \/v1\/invoices\/in_x\/refund\)/);
  });
});
