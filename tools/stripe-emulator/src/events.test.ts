import Stripe from 'stripe';
import type { RunningEmulator } from './index';
import { raw, rejectionOf, sdk, startTestEmulator } from './test/helpers';

let now = Date.UTC(2031, 5, 1);
let emulator: RunningEmulator;
let stripe: Stripe;

beforeAll(async () => {
  emulator = await startTestEmulator({ clock: () => now });
  stripe = sdk(emulator);
});
afterAll(() => emulator.close());
beforeEach(() => emulator.state.reset());

describe('events', () => {
  it('records created, updated (with previous_attributes) and deleted, newest first', async () => {
    const created = await stripe.customers.create({ name: 'Before', email: 'e@example.com', metadata: { keep: '1', drop: '2' } }, { idempotencyKey: 'evt-key-1' });
    const updated = await stripe.customers.update(created.id, { name: 'After', metadata: { drop: '', add: '3' } });
    const updateRequestId = updated.lastResponse.requestId;
    await stripe.customers.del(created.id);

    const { data, has_more } = await stripe.events.list();
    expect(has_more).toBe(false);
    expect(data.map((e) => e.type)).toEqual(['customer.deleted', 'customer.updated', 'customer.created']);
    const [deleted, update, create] = data;

    expect(create).toMatchObject({
      object: 'event',
      livemode: false,
      pending_webhooks: 0,
      api_version: emulator.state.apiVersion,
      request: { idempotency_key: 'evt-key-1' },
      data: { object: { id: created.id, name: 'Before' } },
    });
    expect(create!.id).toMatch(/^evt_[A-Za-z0-9]{24}$/);
    expect(create!.request!.id).toBe(created.lastResponse.requestId);
    expect(create!.data).not.toHaveProperty('previous_attributes');

    expect(update!.data.object).toMatchObject({ name: 'After', metadata: { keep: '1', add: '3' } });
    expect(update!.data.previous_attributes).toEqual({ name: 'Before', metadata: { drop: '2', add: null } });
    expect(update!.request!.id).toBe(updateRequestId);
    // The SDK keys every POST itself.
    expect(update!.request!.idempotency_key).toMatch(/^stripe-node-retry-/);

    expect(deleted!.data.object).toMatchObject({ id: created.id, object: 'customer', name: 'After', deleted: true });
  });

  it('records nothing for an update that changes nothing', async () => {
    const c = await stripe.customers.create({ name: 'Same' });
    await stripe.customers.update(c.id, { name: 'Same' });
    expect((await stripe.events.list()).data.map((e) => e.type)).toEqual(['customer.created']);
  });

  it('filters by types[] (SDK indexed form and literal [] form), type and wildcard', async () => {
    const c = await stripe.customers.create({ name: 'x' });
    await stripe.customers.update(c.id, { name: 'y' });
    await stripe.customers.del(c.id);
    const sdkTypes = await stripe.events.list({ types: ['customer.created', 'customer.updated'] });
    expect(sdkTypes.data.map((e) => e.type)).toEqual(['customer.updated', 'customer.created']);
    const literal = await raw(emulator, 'GET', '/v1/events?types[]=customer.created&types[]=customer.deleted');
    expect((literal.body as { data: Array<{ type: string }> }).data.map((e) => e.type)).toEqual(['customer.deleted', 'customer.created']);
    expect((await stripe.events.list({ type: 'customer.updated' })).data).toHaveLength(1);
    expect((await stripe.events.list({ type: 'customer.*' })).data).toHaveLength(3);
    expect((await stripe.events.list({ type: 'invoice.paid' })).data).toHaveLength(0);
  });

  it('filters by created[gte] and paginates', async () => {
    const t0 = Math.floor(now / 1000);
    await stripe.customers.create({ name: 'old' });
    now += 60_000;
    const fresh = await stripe.customers.create({ name: 'new1' });
    await stripe.customers.create({ name: 'new2' });
    const recent = await stripe.events.list({ created: { gte: t0 + 60 } });
    expect(recent.data.map((e) => (e.data.object as { name: string }).name)).toEqual(['new2', 'new1']);
    expect(recent.data.every((e) => e.created === t0 + 60)).toBe(true);
    expect(fresh.created).toBe(t0 + 60);

    const first = await stripe.events.list({ limit: 2 });
    expect(first.has_more).toBe(true);
    const rest = await stripe.events.list({ limit: 2, starting_after: first.data[1]!.id });
    expect(rest.data.map((e) => (e.data.object as { name: string }).name)).toEqual(['old']);
    const back = await stripe.events.list({ limit: 2, ending_before: rest.data[0]!.id });
    expect(back.data.map((e) => e.id)).toEqual(first.data.map((e) => e.id));
  });

  it('retrieves an event by id and 404s unknown ones', async () => {
    await stripe.customers.create({ name: 'r' });
    const [latest] = (await stripe.events.list({ limit: 1 })).data;
    expect(await stripe.events.retrieve(latest!.id)).toEqual(latest);
    const err = await rejectionOf(stripe.events.retrieve('evt_missing'));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err).toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });

  it('refuses type and types together', async () => {
    const res = await raw(emulator, 'GET', '/v1/events?type=customer.created&types[]=customer.updated');
    expect(res.status).toBe(400);
  });
});
