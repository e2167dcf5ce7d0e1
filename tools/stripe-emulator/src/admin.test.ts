import type Stripe from 'stripe';
import type { Customer, RunningEmulator, StatsSnapshot, WebhookEndpoint } from './index';
import { admin, sdk, startReceiver, startTestEmulator } from './test/helpers';

let emulator: RunningEmulator;
let stripe: Stripe;

beforeAll(async () => {
  emulator = await startTestEmulator();
  stripe = sdk(emulator);
});
afterAll(() => emulator.close());
beforeEach(() => emulator.state.reset({ endpoints: true, faults: true }));

const stats = async (): Promise<StatsSnapshot> => (await admin<StatsSnapshot>(emulator, 'GET', '/_emulator/stats')).body;

describe('admin routes', () => {
  it('reports health and 404s unknown admin routes', async () => {
    expect(await admin(emulator, 'GET', '/_emulator/health')).toEqual({ status: 200, body: { ok: true } });
    expect((await admin(emulator, 'GET', '/_emulator/nope')).status).toBe(404);
  });

  it('counts requests by route, writes, and resets the counters', async () => {
    const c = await stripe.customers.create({ name: 'a' });
    await stripe.customers.update(c.id, { name: 'b' });
    await stripe.customers.retrieve(c.id);
    await stripe.customers.list();
    await stripe.customers.create({ email: 'bad' }).catch(() => undefined);
    await admin(emulator, 'POST', '/_emulator/dashboard/customers', { name: 'dash', email: 'dash@example.com' });
    expect(await stats()).toEqual({
      requests: { total: 5, by_route: { 'POST /v1/customers': 2, 'POST /v1/customers/:id': 1, 'GET /v1/customers/:id': 1, 'GET /v1/customers': 1 } },
      writes: 2,
      rate_limited: 0,
      errors_injected: 0,
      customers: 2,
      events: 3,
      webhooks: { attempted: 0, succeeded: 0, failed: 0, pending: 0, abandoned: 0 },
    });
    expect((await admin(emulator, 'POST', '/_emulator/stats/reset')).body).toEqual({ ok: true });
    expect(await stats()).toMatchObject({ requests: { total: 0, by_route: {} }, writes: 0, customers: 2, events: 3 });
  });

  it('registers webhook endpoints idempotently by url, lists and clears them', async () => {
    const first = await admin<WebhookEndpoint>(emulator, 'POST', '/_emulator/webhook-endpoints', { url: 'http://127.0.0.1:9/a', secret: 'whsec_1' });
    const again = await admin<WebhookEndpoint>(emulator, 'POST', '/_emulator/webhook-endpoints', { url: 'http://127.0.0.1:9/a', secret: 'whsec_2' });
    expect(again.body).toEqual({ id: first.body.id, url: 'http://127.0.0.1:9/a', secret: 'whsec_2' });
    const generated = await admin<WebhookEndpoint>(emulator, 'POST', '/_emulator/webhook-endpoints', { url: 'http://127.0.0.1:9/b' });
    expect(generated.body.secret).toMatch(/^whsec_/);
    expect((await admin<{ data: WebhookEndpoint[] }>(emulator, 'GET', '/_emulator/webhook-endpoints')).body.data).toHaveLength(2);
    expect((await admin(emulator, 'POST', '/_emulator/webhook-endpoints', { url: 'ftp://x' })).status).toBe(400);
    expect((await admin(emulator, 'DELETE', '/_emulator/webhook-endpoints')).body).toEqual({ deleted: 2 });
    expect((await admin<{ data: WebhookEndpoint[] }>(emulator, 'GET', '/_emulator/webhook-endpoints')).body.data).toEqual([]);
  });

  it('dashboard edits go through the API path: events, webhooks, no faults, not writes', async () => {
    const receiver = await startReceiver();
    try {
      await admin(emulator, 'POST', '/_emulator/webhook-endpoints', { url: receiver.url, secret: 'whsec_dash' });
      await admin(emulator, 'POST', '/_emulator/faults', { error_rate: 1, reject_email_pattern: 'example' });
      const created = await admin<Customer>(emulator, 'POST', '/_emulator/dashboard/customers', { name: 'Dash', email: 'dash@example.com', metadata: { internal_id: '7' } });
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({ object: 'customer', name: 'Dash', email: 'dash@example.com', metadata: { internal_id: '7' } });
      const id = created.body.id;
      const updated = await admin<Customer>(emulator, 'POST', `/_emulator/dashboard/customers/${id}`, { name: 'Dash 2', metadata: { internal_id: null } });
      expect(updated.body).toMatchObject({ name: 'Dash 2', email: 'dash@example.com', metadata: {} });
      expect((await admin(emulator, 'DELETE', `/_emulator/dashboard/customers/${id}`)).body).toEqual({ id, object: 'customer', deleted: true });

      await admin(emulator, 'POST', '/_emulator/faults', { error_rate: 0 });
      const types = (await stripe.events.list()).data.map((e) => e.type);
      expect(types).toEqual(['customer.deleted', 'customer.updated', 'customer.created']);
      const hooks = await receiver.waitFor(3);
      const delivered = hooks.map((h) => stripe.webhooks.constructEvent(h.body, h.signature, 'whsec_dash').type).sort();
      expect(delivered).toEqual(['customer.created', 'customer.deleted', 'customer.updated']);
      expect((await stats()).writes).toBe(0);
    } finally {
      await receiver.close();
    }
  });

  it('validates dashboard input with Stripe errors', async () => {
    const bad = await admin<{ error: { code: string } }>(emulator, 'POST', '/_emulator/dashboard/customers', { name: 'x', email: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('email_invalid');
    expect((await admin(emulator, 'POST', '/_emulator/dashboard/customers/cus_missing', { name: 'x' })).status).toBe(404);
    expect((await admin(emulator, 'POST', '/_emulator/dashboard/customers', { nickname: 'x' })).status).toBe(400);
    expect((await admin(emulator, 'POST', '/_emulator/dashboard/customers', ['not', 'an', 'object'])).status).toBe(400);
    const malformed = await fetch(`${emulator.url}/_emulator/dashboard/customers`, { method: 'POST', body: '{not json' });
    expect(malformed.status).toBe(400);
  });

  it('seeds 10,000 customers quickly, without events by default', async () => {
    const started = Date.now();
    const res = await admin(emulator, 'POST', '/_emulator/seed', { count: 10_000, email_prefix: 'bulk', name_prefix: 'Bulk ' });
    const elapsed = Date.now() - started;
    expect(res.body).toEqual({ created: 10_000 });
    expect(elapsed).toBeLessThan(1_500);
    expect(await stats()).toMatchObject({ customers: 10_000, events: 0 });
    const newest = await stripe.customers.list({ limit: 1 });
    expect(newest.data[0]).toMatchObject({ email: 'bulk9999@example.com', name: 'Bulk 9999' });
    expect((await stripe.customers.list({ email: 'bulk42@example.com' })).data).toHaveLength(1);
    expect((await admin(emulator, 'POST', '/_emulator/seed', { count: -1 })).status).toBe(400);
    await admin(emulator, 'POST', '/_emulator/seed', { count: 3, emit_events: true });
    expect((await stats()).events).toBe(3);
  });

  it('lists all customers, optionally including deleted ones', async () => {
    const a = await stripe.customers.create({ name: 'a' });
    const b = await stripe.customers.create({ name: 'b' });
    await stripe.customers.del(a.id);
    expect((await admin<Customer[]>(emulator, 'GET', '/_emulator/customers')).body.map((c) => c.id)).toEqual([b.id]);
    const withDeleted = (await admin<Array<Customer & { deleted?: true }>>(emulator, 'GET', '/_emulator/customers?include_deleted=true')).body;
    expect(withDeleted.map((c) => [c.id, c.deleted ?? false])).toEqual([[a.id, true], [b.id, false]]);
  });

  it('reset clears state and idempotency keys but keeps endpoints unless asked', async () => {
    await admin(emulator, 'POST', '/_emulator/webhook-endpoints', { url: 'http://127.0.0.1:9/keep', secret: 'whsec_k' });
    const first = await stripe.customers.create({ name: 'before reset' }, { idempotencyKey: 'reset-key' });
    expect((await admin(emulator, 'POST', '/_emulator/reset')).body).toEqual({ ok: true });
    expect(await stats()).toMatchObject({ customers: 0, events: 0, requests: { total: 0 }, webhooks: { pending: 0 } });
    const second = await stripe.customers.create({ name: 'before reset' }, { idempotencyKey: 'reset-key' });
    expect(second.id).not.toBe(first.id);
    expect((await admin<{ data: unknown[] }>(emulator, 'GET', '/_emulator/webhook-endpoints')).body.data).toHaveLength(1);
    await admin(emulator, 'POST', '/_emulator/reset', { endpoints: true });
    expect((await admin<{ data: unknown[] }>(emulator, 'GET', '/_emulator/webhook-endpoints')).body.data).toHaveLength(0);
  });
});
