import Stripe from 'stripe';
import type { RunningEmulator } from './index';
import { raw, rejectionOf, sdk, startTestEmulator, type StripeErrorBody } from './test/helpers';

let emulator: RunningEmulator;
let stripe: Stripe;

beforeAll(async () => {
  emulator = await startTestEmulator();
  stripe = sdk(emulator);
});
afterAll(() => emulator.close());

describe('customer CRUD through the real SDK', () => {
  it('creates a customer shaped like Stripe’s', async () => {
    const before = Math.floor(Date.now() / 1000);
    const customer = await stripe.customers.create({
      name: 'Jenny Rosen',
      email: 'jenny.rosen@example.com',
      description: 'VIP',
      phone: '+15555550100',
      metadata: { internal_id: '42', source: 'catalog' },
    });
    expect(customer.id).toMatch(/^cus_[A-Za-z0-9]{14}$/);
    expect(customer).toMatchObject({
      object: 'customer',
      name: 'Jenny Rosen',
      email: 'jenny.rosen@example.com',
      description: 'VIP',
      phone: '+15555550100',
      metadata: { internal_id: '42', source: 'catalog' },
      livemode: false,
      address: null,
      balance: 0,
      currency: null,
      default_source: null,
      delinquent: false,
      preferred_locales: [],
      tax_exempt: 'none',
      test_clock: null,
      shipping: null,
    });
    expect(customer.invoice_prefix).toMatch(/^[0-9A-F]{8}$/);
    expect(customer.created).toBeGreaterThanOrEqual(before);
    expect(customer.created).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(await stripe.customers.retrieve(customer.id)).toEqual(customer);
  });

  it('updates only the given fields and merges metadata', async () => {
    const created = await stripe.customers.create({ name: 'Old', email: 'keep@example.com', metadata: { a: '1', b: '2' } });
    const renamed = await stripe.customers.update(created.id, { name: 'New', metadata: { b: '', c: '3' } });
    expect(renamed).toMatchObject({ name: 'New', email: 'keep@example.com', metadata: { a: '1', c: '3' } });
    expect(renamed.metadata).not.toHaveProperty('b');

    const cleared = await stripe.customers.update(created.id, { metadata: '' });
    expect(cleared.metadata).toEqual({});
    expect(cleared.name).toBe('New');

    const unsetEmail = await stripe.customers.update(created.id, { email: '' });
    expect(unsetEmail.email).toBeNull();
  });

  it('deletes, then retrieves the deleted stub with 200, and refuses further updates', async () => {
    const { id } = await stripe.customers.create({ email: 'gone@example.com' });
    expect(await stripe.customers.del(id)).toEqual({ id, object: 'customer', deleted: true });
    expect(await stripe.customers.retrieve(id)).toEqual({ id, object: 'customer', deleted: true });
    const err = await rejectionOf(stripe.customers.update(id, { name: 'zombie' }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.statusCode).toBe(404);
  });

  it('answers unknown ids with 404 resource_missing on param id', async () => {
    const err = await rejectionOf(stripe.customers.retrieve('cus_doesnotexist00'));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'id', message: "No such customer: 'cus_doesnotexist00'" });
  });
});

describe('validation', () => {
  it('rejects an invalid email with email_invalid', async () => {
    const err = await rejectionOf(stripe.customers.create({ email: 'not-an-email' }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err).toMatchObject({ statusCode: 400, code: 'email_invalid', param: 'email', message: 'Invalid email address: not-an-email' });
  });

  it.each(['a@b', 'a b@example.com', '@example.com', 'a@@example.com', 'a..b@example.com'])('rejects %s', async (email) => {
    const err = await rejectionOf(stripe.customers.create({ email }));
    expect(err.code).toBe('email_invalid');
  });

  it.each(['a@b.co', 'first.last+tag@sub.example.org', 'josé@exämple.de'])('accepts %s', async (email) => {
    expect((await stripe.customers.create({ email })).email).toBe(email);
  });

  it('rejects names over 256 characters', async () => {
    const err = await rejectionOf(stripe.customers.create({ name: 'x'.repeat(257) }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.param).toBe('name');
    expect(err.message).toBe('Invalid string: xxxxxxxxxx...xxxxxxxxxx; must be at most 256 characters');
    expect((await stripe.customers.create({ name: 'y'.repeat(256) })).name).toHaveLength(256);
  });

  it('rejects unknown top-level parameters with parameter_unknown', async () => {
    const res = await raw(emulator, 'POST', '/v1/customers', { body: 'name=x&nickname=y' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: expect.objectContaining({ type: 'invalid_request_error', code: 'parameter_unknown', param: 'nickname', message: 'Received unknown parameter: nickname' }),
    });
  });

  it('accepts known parameters it does not model (e.g. payment_method, invoice_settings)', async () => {
    const res = await raw(emulator, 'POST', '/v1/customers', { body: 'email=pm@example.com&payment_method=pm_card_visa&invoice_settings[footer]=x&expand[]=test_clock' });
    expect(res.status).toBe(200);
    expect((res.body as { email: string }).email).toBe('pm@example.com');
  });

  it('stores address and preferred_locales', async () => {
    const customer = await stripe.customers.create({ address: { city: 'Paris', country: 'FR' }, preferred_locales: ['fr', 'en'] });
    expect(customer.address).toEqual({ city: 'Paris', country: 'FR', line1: null, line2: null, postal_code: null, state: null });
    expect(customer.preferred_locales).toEqual(['fr', 'en']);
  });
});

describe('auth and protocol', () => {
  it('rejects a non-test key with 401', async () => {
    const err = await rejectionOf(sdk(emulator, {}, ['sk', 'live', 'notarealkey0mnop'].join('_')) /* a made-up live-mode key, assembled so it never looks like a leaked one */.customers.list());
    expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(err.statusCode).toBe(401);
    expect(err.message).toBe('Invalid API Key provided: sk_live_************mnop');
    expect(err.type).toBe('StripeAuthenticationError');
  });

  it('rejects a missing key with 401 and accepts HTTP basic auth', async () => {
    const missing = await fetch(`${emulator.url}/v1/customers`);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as StripeErrorBody).error.type).toBe('invalid_request_error');
    const basic = await fetch(`${emulator.url}/v1/customers`, { headers: { Authorization: `Basic ${Buffer.from('sk_test_x:').toString('base64')}` } });
    expect(basic.status).toBe(200);
  });

  it('sets Content-Type, Request-Id and echoes Stripe-Version', async () => {
    const res = await raw(emulator, 'GET', '/v1/customers?limit=1', { headers: { 'Stripe-Version': '2024-06-20' } });
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('request-id')).toMatch(/^req_[A-Za-z0-9]{14}$/);
    expect(res.headers.get('stripe-version')).toBe('2024-06-20');
  });

  it('answers unknown routes with a Stripe-style 404', async () => {
    const res = await raw(emulator, 'GET', '/v1/charges');
    expect(res.status).toBe(404);
    expect((res.body as StripeErrorBody).error).toEqual({
      type: 'invalid_request_error',
      message: 'Unrecognized request URL (GET: /v1/charges). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.',
    });
  });
});
