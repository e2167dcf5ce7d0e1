import Stripe from 'stripe';
import type { RunningEmulator, StatsSnapshot } from './index';
import { admin, raw, rejectionOf, sdk, startTestEmulator, type StripeErrorBody } from './test/helpers';

let now = Date.now();
let emulator: RunningEmulator;
let stripe: Stripe;

beforeAll(async () => {
  emulator = await startTestEmulator({ clock: () => now });
  stripe = sdk(emulator);
});
afterAll(() => emulator.close());
beforeEach(() => emulator.state.reset({ faults: true }));

const eventCount = async (): Promise<number> => (await stripe.events.list({ limit: 100 })).data.length;
const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();

describe('Idempotency-Key', () => {
  it('replays the first response exactly and records no second event', async () => {
    const first = await stripe.customers.create({ email: 'once@example.com' }, { idempotencyKey: 'key-1' });
    const again = await stripe.customers.create({ email: 'once@example.com' }, { idempotencyKey: 'key-1' });
    expect(again).toEqual(first);
    expect(emulator.state.customerStore.liveCount).toBe(1);
    expect(await eventCount()).toBe(1);

    const replay = await raw(emulator, 'POST', '/v1/customers', { body: form({ email: 'once@example.com' }), headers: { 'Idempotency-Key': 'key-1' } });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('original-request')).toMatch(/^req_/);
    expect(replay.body).toEqual(JSON.parse(JSON.stringify(first)));
  });

  it('counts a replay as neither a write nor a new customer', async () => {
    await stripe.customers.create({ name: 'w' }, { idempotencyKey: 'key-w' });
    await stripe.customers.create({ name: 'w' }, { idempotencyKey: 'key-w' });
    expect((await admin<StatsSnapshot>(emulator, 'GET', '/_emulator/stats')).body.writes).toBe(1);
  });

  it('treats reordered parameters as the same request', async () => {
    const a = await raw(emulator, 'POST', '/v1/customers', { body: 'name=n&email=n@example.com', headers: { 'Idempotency-Key': 'key-order' } });
    const b = await raw(emulator, 'POST', '/v1/customers', { body: 'email=n@example.com&name=n', headers: { 'Idempotency-Key': 'key-order' } });
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(b.body).toEqual(a.body);
  });

  it('rejects the same key with different parameters (StripeIdempotencyError)', async () => {
    await stripe.customers.create({ email: 'a@example.com' }, { idempotencyKey: 'key-2' });
    const err = await rejectionOf(stripe.customers.create({ email: 'b@example.com' }, { idempotencyKey: 'key-2' }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(err.statusCode).toBe(400);
    expect(err.message).toMatch(/^Keys for idempotent requests can only be used with the same parameters they were first used with/);
    expect(emulator.state.customerStore.liveCount).toBe(1);
  });

  it('scopes keys by method and path', async () => {
    const created = await stripe.customers.create({ name: 'scoped' }, { idempotencyKey: 'key-3' });
    const updated = await stripe.customers.update(created.id, { name: 'renamed' }, { idempotencyKey: 'key-3' });
    expect(updated.name).toBe('renamed');
  });

  it('stores no result for a request whose parameters fail validation (400), as Stripe does', async () => {
    const bad = await raw(emulator, 'POST', '/v1/customers', { body: form({ email: 'not-an-email' }), headers: { 'Idempotency-Key': 'key-400' } });
    expect(bad.status).toBe(400);
    expect((bad.body as StripeErrorBody).error.code).toBe('email_invalid');
    const again = await raw(emulator, 'POST', '/v1/customers', { body: form({ email: 'not-an-email' }), headers: { 'Idempotency-Key': 'key-400' } });
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    const fixed = await raw(emulator, 'POST', '/v1/customers', { body: form({ email: 'fixed@example.com' }), headers: { 'Idempotency-Key': 'key-400' } });
    expect(fixed.status).toBe(200);
    expect(emulator.state.customerStore.liveCount).toBe(1);
  });

  it('stores other 4xx answers (e.g. a missing customer) and replays them', async () => {
    const body = form({ name: 'x' });
    const first = await raw(emulator, 'POST', '/v1/customers/cus_missing', { body, headers: { 'Idempotency-Key': 'key-404' } });
    expect(first.status).toBe(404);
    const second = await raw(emulator, 'POST', '/v1/customers/cus_missing', { body, headers: { 'Idempotency-Key': 'key-404' } });
    expect(second.status).toBe(404);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
  });

  it('does not store injected 500s, so a retry with the same key succeeds', async () => {
    await admin(emulator, 'POST', '/_emulator/faults', { error_rate: 1 });
    const err = await rejectionOf(stripe.customers.create({ name: 'retry' }, { idempotencyKey: 'key-500' }));
    expect(err.statusCode).toBe(500);
    await admin(emulator, 'POST', '/_emulator/faults', { error_rate: 0 });
    const res = await raw(emulator, 'POST', '/v1/customers', { body: form({ name: 'retry' }), headers: { 'Idempotency-Key': 'key-500' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('idempotent-replayed')).toBeNull();
    expect(emulator.state.customerStore.liveCount).toBe(1);
  });

  it('lets the SDK retry a rate-limited create with its own key, creating exactly one customer', async () => {
    await admin(emulator, 'POST', '/_emulator/faults', { rate_limit_rps: 1 });
    await stripe.customers.list({ limit: 1 }); // drains the single token
    const retrying = sdk(emulator, { maxNetworkRetries: 3 });
    const customer = await retrying.customers.create({ email: 'retried@example.com' });
    expect(customer.email).toBe('retried@example.com');
    const stats = (await admin<StatsSnapshot>(emulator, 'GET', '/_emulator/stats')).body;
    expect(stats.rate_limited).toBeGreaterThanOrEqual(1);
    expect(stats.customers).toBe(1);
    expect(stats.writes).toBe(1);
  });

  it('answers 409 idempotency_key_in_use while the first request is still in flight', async () => {
    await admin(emulator, 'POST', '/_emulator/faults', { latency_ms: 300 });
    const send = (): ReturnType<typeof raw> => raw(emulator, 'POST', '/v1/customers', { body: form({ name: 'race' }), headers: { 'Idempotency-Key': 'key-race' } });
    const first = send();
    await new Promise((r) => setTimeout(r, 50));
    const second = await send();
    expect(second.status).toBe(409);
    expect((second.body as StripeErrorBody).error.code).toBe('idempotency_key_in_use');
    expect((await first).status).toBe(200);
    expect(emulator.state.customerStore.liveCount).toBe(1);
  });

  it('expires keys after 24 hours', async () => {
    await stripe.customers.create({ email: 'day1@example.com' }, { idempotencyKey: 'key-ttl' });
    now += 24 * 60 * 60 * 1000 + 1;
    const next = await stripe.customers.create({ email: 'day2@example.com' }, { idempotencyKey: 'key-ttl' });
    expect(next.email).toBe('day2@example.com');
    expect(emulator.state.customerStore.liveCount).toBe(2);
  });
});
