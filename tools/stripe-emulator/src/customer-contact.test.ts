import type Stripe from 'stripe';
import type { Customer, RunningEmulator } from './index';
import { admin, raw, rejectionOf, sdk, startTestEmulator, type StripeErrorBody } from './test/helpers';

let emulator: RunningEmulator;
let stripe: Stripe;

beforeAll(async () => {
  emulator = await startTestEmulator();
  stripe = sdk(emulator);
});
afterAll(() => emulator.close());
beforeEach(() => emulator.state.reset());

const PARIS_INPUT = { line1: '1 Rue de Rivoli', line2: 'Apt 4', city: 'Paris', postal_code: '75001', country: 'FR' };
const PARIS = { ...PARIS_INPUT, state: null };

describe('customer phone and address', () => {
  it('are stored on create and come back from retrieve, list and search', async () => {
    const created = await stripe.customers.create({ email: 'p@example.com', phone: '+33 1 23 45 67 89', address: PARIS_INPUT });
    expect(created).toMatchObject({ phone: '+33 1 23 45 67 89', address: PARIS });
    expect(await stripe.customers.retrieve(created.id)).toMatchObject({ phone: '+33 1 23 45 67 89', address: PARIS });
    expect((await stripe.customers.list({ email: 'p@example.com' })).data[0]).toMatchObject({ address: PARIS });
    const found = await stripe.customers.search({ query: "phone:'+33 1 23 45 67 89'" });
    expect(found.data.map((c) => c.id)).toEqual([created.id]);
  });

  it('accepts any country string, as Stripe does', async () => {
    const customer = await stripe.customers.create({ address: { country: 'Deutschland' } });
    expect(customer.address).toEqual({ line1: null, line2: null, city: null, state: null, postal_code: null, country: 'Deutschland' });
  });

  it('merges address parts on update, clears one part with "" and the whole address with address=""', async () => {
    const { id } = await stripe.customers.create({ address: PARIS_INPUT });
    const moved = await stripe.customers.update(id, { address: { city: 'Lyon', postal_code: '69001' } });
    expect(moved.address).toEqual({ ...PARIS, city: 'Lyon', postal_code: '69001' });
    const noLine2 = await stripe.customers.update(id, { address: { line2: '' } });
    expect(noLine2.address).toEqual({ ...PARIS, city: 'Lyon', postal_code: '69001', line2: null });
    const cleared = await stripe.customers.update(id, { address: '' });
    expect(cleared.address).toBeNull();
    const fresh = await stripe.customers.update(id, { address: { line1: 'Only line' } });
    expect(fresh.address).toEqual({ line1: 'Only line', line2: null, city: null, state: null, postal_code: null, country: null });
  });

  it('unsets phone with ""', async () => {
    const { id } = await stripe.customers.create({ phone: '+15555550100' });
    expect((await stripe.customers.update(id, { phone: '' })).phone).toBeNull();
  });

  it('lists the whole previous address and phone in customer.updated previous_attributes', async () => {
    const { id } = await stripe.customers.create({ phone: '+15555550100', address: { city: 'Paris', country: 'FR' } });
    await stripe.customers.update(id, { phone: '+15555550199', address: { city: 'Lyon' } });
    await stripe.customers.update(id, { address: { city: 'Lyon' } }); // no change, no event
    const [updated, ...rest] = (await stripe.events.list({ type: 'customer.updated' })).data;
    expect(rest).toHaveLength(0);
    expect(updated!.data.previous_attributes).toEqual({
      address: { line1: null, line2: null, city: 'Paris', state: null, postal_code: null, country: 'FR' },
      phone: '+15555550100',
    });
    expect((updated!.data.object as Stripe.Customer).address).toMatchObject({ city: 'Lyon', country: 'FR' });
  });

  it('rejects unknown address parts and over-long phones', async () => {
    const unknown = await raw(emulator, 'POST', '/v1/customers', { body: 'address[street]=x' });
    expect(unknown.status).toBe(400);
    expect((unknown.body as StripeErrorBody).error).toMatchObject({ code: 'parameter_unknown', param: 'address[street]' });
    const err = await rejectionOf(stripe.customers.create({ phone: '1'.repeat(21) }));
    expect(err).toMatchObject({ statusCode: 400, param: 'phone' });
  });

  it('are accepted by the dashboard routes, where null clears', async () => {
    const created = await admin<Customer>(emulator, 'POST', '/_emulator/dashboard/customers', { name: 'Dash', phone: '+4930123', address: { city: 'Berlin', country: 'DE' } });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ phone: '+4930123', address: { city: 'Berlin', country: 'DE', line1: null } });
    const id = created.body.id;
    const edited = await admin<Customer>(emulator, 'POST', `/_emulator/dashboard/customers/${id}`, { address: { line1: 'Unter den Linden 1', country: null } });
    expect(edited.body.address).toEqual({ line1: 'Unter den Linden 1', line2: null, city: 'Berlin', state: null, postal_code: null, country: null });
    const cleared = await admin<Customer>(emulator, 'POST', `/_emulator/dashboard/customers/${id}`, { phone: null, address: null });
    expect(cleared.body).toMatchObject({ phone: null, address: null });
    expect((await admin(emulator, 'POST', `/_emulator/dashboard/customers/${id}`, { address: 'Berlin' })).status).toBe(400);
    const types = (await stripe.events.list()).data.map((e) => e.type);
    expect(types).toEqual(['customer.updated', 'customer.updated', 'customer.created']);
  });

  it('are null on seeded customers', async () => {
    await admin(emulator, 'POST', '/_emulator/seed', { count: 2 });
    const { data } = await stripe.customers.list();
    expect(data.map((c) => [c.phone, c.address])).toEqual([[null, null], [null, null]]);
  });
});
