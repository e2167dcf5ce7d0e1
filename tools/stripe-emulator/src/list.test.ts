import Stripe from 'stripe';
import type { Customer, RunningEmulator } from './index';
import { admin, raw, rejectionOf, sdk, startTestEmulator } from './test/helpers';

// A controllable clock so `created` filters are tested across distinct seconds without sleeping.
let now = Date.UTC(2030, 0, 1);
let emulator: RunningEmulator;
let stripe: Stripe;

beforeAll(async () => {
  emulator = await startTestEmulator({ clock: () => now });
  stripe = sdk(emulator);
});
afterAll(() => emulator.close());
beforeEach(() => emulator.state.reset());

const ids = (list: Array<{ id: string }>): string[] => list.map((c) => c.id);

/** Everything, newest first, straight from the emulator's state. */
async function allNewestFirst(): Promise<string[]> {
  const { body } = await admin<Customer[]>(emulator, 'GET', '/_emulator/customers');
  return ids(body).reverse();
}

describe('GET /v1/customers pagination', () => {
  beforeEach(async () => {
    expect((await admin(emulator, 'POST', '/_emulator/seed', { count: 250 })).body).toEqual({ created: 250 });
  });

  it('auto-paginates all 250 customers newest first with stable tie-breaking', async () => {
    const seen: string[] = [];
    for await (const customer of stripe.customers.list({ limit: 100 })) seen.push(customer.id);
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    // All were created in the same second: insertion order decides, newest first.
    expect(seen).toEqual(await allNewestFirst());
  });

  it('reports has_more and continues with starting_after', async () => {
    const expected = await allNewestFirst();
    const first = await stripe.customers.list({ limit: 100 });
    expect(first).toMatchObject({ object: 'list', url: '/v1/customers', has_more: true });
    expect(ids(first.data)).toEqual(expected.slice(0, 100));
    const third = await stripe.customers.list({ limit: 100, starting_after: expected[199]! });
    expect(third.has_more).toBe(false);
    expect(ids(third.data)).toEqual(expected.slice(200));
  });

  it('pages backwards with ending_before', async () => {
    const expected = await allNewestFirst();
    const page = await stripe.customers.list({ limit: 10, ending_before: expected[50]! });
    expect(ids(page.data)).toEqual(expected.slice(40, 50));
    expect(page.has_more).toBe(true);
    const top = await stripe.customers.list({ limit: 10, ending_before: expected[5]! });
    expect(ids(top.data)).toEqual(expected.slice(0, 5));
    expect(top.has_more).toBe(false);
    // The SDK walks backwards from the cursor towards the newest customer.
    const backwards: string[] = [];
    for await (const c of stripe.customers.list({ limit: 7, ending_before: expected[20]! })) backwards.push(c.id);
    expect(backwards).toEqual(expected.slice(0, 20).reverse());
  });

  it('defaults to 10 and validates limit and cursors', async () => {
    expect((await stripe.customers.list()).data).toHaveLength(10);
    expect((await rejectionOf(stripe.customers.list({ limit: 101 }))).param).toBe('limit');
    const err = await rejectionOf(stripe.customers.list({ starting_after: 'cus_unknown' }));
    expect(err).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'starting_after' });
  });

  it('does not list deleted customers', async () => {
    const [newest, second] = await allNewestFirst();
    await stripe.customers.del(newest!);
    const page = await stripe.customers.list({ limit: 1 });
    expect(ids(page.data)).toEqual([second]);
  });
});

describe('filters', () => {
  it('filters by exact, case-sensitive email', async () => {
    const a = await stripe.customers.create({ email: 'Dup@Example.com' });
    await stripe.customers.create({ email: 'other@example.com' });
    const b = await stripe.customers.create({ email: 'Dup@Example.com' });
    expect(ids((await stripe.customers.list({ email: 'Dup@Example.com' })).data)).toEqual([b.id, a.id]);
    expect((await stripe.customers.list({ email: 'dup@example.com' })).data).toEqual([]);
    // Email changes move customers between lookups.
    await stripe.customers.update(a.id, { email: 'moved@example.com' });
    expect(ids((await stripe.customers.list({ email: 'Dup@Example.com' })).data)).toEqual([b.id]);
    expect(ids((await stripe.customers.list({ email: 'moved@example.com' })).data)).toEqual([a.id]);
  });

  it('filters by created, as an integer or a range', async () => {
    const t0 = Math.floor(now / 1000);
    const a = await stripe.customers.create({ name: 'a' });
    now += 100_000;
    const b = await stripe.customers.create({ name: 'b' });
    now += 100_000;
    const c = await stripe.customers.create({ name: 'c' });
    expect([a.created, b.created, c.created]).toEqual([t0, t0 + 100, t0 + 200]);
    expect(ids((await stripe.customers.list({ created: { gte: t0 + 100 } })).data)).toEqual([c.id, b.id]);
    expect(ids((await stripe.customers.list({ created: { gt: t0 + 100 } })).data)).toEqual([c.id]);
    expect(ids((await stripe.customers.list({ created: { lt: t0 + 100 } })).data)).toEqual([a.id]);
    expect(ids((await stripe.customers.list({ created: { lte: t0 + 100, gte: t0 } })).data)).toEqual([b.id, a.id]);
    expect(ids((await stripe.customers.list({ created: t0 + 100 })).data)).toEqual([b.id]);
    const bad = await raw(emulator, 'GET', '/v1/customers?created[since]=1');
    expect(bad.status).toBe(400);
  });
});

describe('GET /v1/customers/search', () => {
  it('finds a customer by metadata', async () => {
    await admin(emulator, 'POST', '/_emulator/seed', { count: 50 });
    const target = await stripe.customers.create({ email: 'lost@example.com', metadata: { internal_id: '42' } });
    await stripe.customers.create({ metadata: { internal_id: '420' } });
    const result = await stripe.customers.search({ query: "metadata['internal_id']:'42'" });
    expect(result).toMatchObject({ object: 'search_result', url: '/v1/customers/search', has_more: false, next_page: null });
    expect(ids(result.data)).toEqual([target.id]);
    expect(ids((await stripe.customers.search({ query: 'metadata["internal_id"]:"42"' })).data)).toEqual([target.id]);
  });

  it('supports email, name, AND and OR', async () => {
    const jenny = await stripe.customers.create({ name: 'Jenny Rosen', email: 'jenny@example.com' });
    const john = await stripe.customers.create({ name: 'John Doe', email: 'john@example.com' });
    await stripe.customers.create({ name: 'Jenny Rosen', email: 'other@example.com' });
    expect(ids((await stripe.customers.search({ query: "email:'jenny@example.com'" })).data)).toEqual([jenny.id]);
    expect(ids((await stripe.customers.search({ query: "name:'Jenny Rosen' AND email:'jenny@example.com'" })).data)).toEqual([jenny.id]);
    expect(ids((await stripe.customers.search({ query: "email:'jenny@example.com' OR name:'John Doe'" })).data)).toEqual([john.id, jenny.id]);
    const mixed = await rejectionOf(stripe.customers.search({ query: "name:'a' AND name:'b' OR name:'c'" }));
    expect(mixed).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    const garbage = await rejectionOf(stripe.customers.search({ query: 'internal_id=42' }));
    expect(garbage.statusCode).toBe(400);
  });

  it('pages with next_page, including SDK auto-pagination', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await stripe.customers.create({ metadata: { group: 'g1' } })).id);
    const first = await stripe.customers.search({ query: "metadata['group']:'g1'", limit: 2 });
    expect(first.has_more).toBe(true);
    expect(first.next_page).toEqual(expect.any(String));
    const second = await stripe.customers.search({ query: "metadata['group']:'g1'", limit: 2, page: first.next_page! });
    expect(ids([...first.data, ...second.data])).toEqual(made.slice().reverse().slice(0, 4));
    const all: string[] = [];
    for await (const c of stripe.customers.search({ query: "metadata['group']:'g1'", limit: 2 })) all.push(c.id);
    expect(all).toEqual(made.slice().reverse());
  });
});
