import Stripe from 'stripe';
import type { FaultSettings, RunningEmulator, StatsSnapshot } from './index';
import { admin, rejectionOf, sdk, startTestEmulator } from './test/helpers';

let emulator: RunningEmulator;
let stripe: Stripe;

beforeAll(async () => {
  emulator = await startTestEmulator();
  stripe = sdk(emulator);
});
afterAll(() => emulator.close());
beforeEach(() => emulator.state.reset({ faults: true }));

const setFaults = async (patch: Partial<FaultSettings>): Promise<void> => {
  expect((await admin(emulator, 'POST', '/_emulator/faults', patch)).status).toBe(200);
};
const stats = async (): Promise<StatsSnapshot> => (await admin<StatsSnapshot>(emulator, 'GET', '/_emulator/stats')).body;

describe('faults', () => {
  it('rate limits /v1 with 429 rate_limit and Retry-After', async () => {
    await setFaults({ rate_limit_rps: 5 });
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => stripe.customers.list({ limit: 1 })));
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(5);
    expect(rejected.length).toBeGreaterThanOrEqual(5);
    const err = rejected[0]!.reason as Stripe.errors.StripeError;
    expect(err).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(err).toMatchObject({ statusCode: 429, code: 'rate_limit' });
    expect(err.headers!['retry-after']).toBe('1');
    expect(err.headers!['stripe-should-retry']).toBe('true');
    expect((await stats()).rate_limited).toBe(rejected.length);
    // Admin routes are never limited.
    expect((await admin(emulator, 'GET', '/_emulator/health')).body).toEqual({ ok: true });
  });

  it('answers 500 api_error for error_rate 1 without changing state', async () => {
    await setFaults({ error_rate: 1 });
    const err = await rejectionOf(stripe.customers.create({ name: 'never' }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(err).toMatchObject({ statusCode: 500, type: 'StripeAPIError' });
    expect(err.raw).toMatchObject({ type: 'api_error' });
    expect(err.headers!['stripe-should-retry']).toBe('true');
    const s = await stats();
    expect(s).toMatchObject({ customers: 0, events: 0, writes: 0, errors_injected: 1 });
  });

  it('answers 503 during an outage, or refuses connections in refuse mode', async () => {
    await setFaults({ outage: true });
    const down = await rejectionOf(stripe.customers.list());
    expect(down).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(down.statusCode).toBe(503);
    await setFaults({ outage_mode: 'refuse' });
    const refused = await rejectionOf(stripe.customers.list());
    expect(refused).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect((await admin(emulator, 'GET', '/_emulator/health')).status).toBe(200);
    await setFaults({ outage: false });
    expect((await stripe.customers.list()).object).toBe('list');
  });

  it('adds latency_ms to /v1 responses only', async () => {
    await setFaults({ latency_ms: 200 });
    let started = Date.now();
    await stripe.customers.list();
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    started = Date.now();
    await admin(emulator, 'GET', '/_emulator/stats');
    expect(Date.now() - started).toBeLessThan(150);
  });

  it('rejects emails matching reject_email_pattern as Stripe would (email_invalid)', async () => {
    await setFaults({ reject_email_pattern: '@blocked\\.test$' });
    const err = await rejectionOf(stripe.customers.create({ email: 'someone@blocked.test' }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err).toMatchObject({ statusCode: 400, code: 'email_invalid', param: 'email', message: 'Invalid email address: someone@blocked.test' });
    expect((await stripe.customers.create({ email: 'someone@fine.test' })).email).toBe('someone@fine.test');
    const c = await stripe.customers.create({ name: 'later' });
    expect((await rejectionOf(stripe.customers.update(c.id, { email: 'x@blocked.test' }))).code).toBe('email_invalid');
  });

  it('validates fault updates and reports the current settings', async () => {
    for (const bad of [{ error_rate: 2 }, { rate_limit_rps: -1 }, { outage_mode: 'maybe' }, { reject_email_pattern: '(' }, { surprise: true }, [1]]) {
      const res = await admin<{ error: { message: string } }>(emulator, 'POST', '/_emulator/faults', bad);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toEqual(expect.any(String));
    }
    await setFaults({ latency_ms: 5, duplicate_webhooks: 0.5 });
    expect((await admin(emulator, 'GET', '/_emulator/faults')).body).toEqual({
      rate_limit_rps: 0,
      error_rate: 0,
      latency_ms: 5,
      outage: false,
      outage_mode: 'error',
      reject_email_pattern: null,
      duplicate_webhooks: 0.5,
      reorder_webhooks: false,
    });
  });

  it('applies faults given at start', async () => {
    const flaky = await startTestEmulator({ faults: { error_rate: 1 } });
    try {
      expect((await rejectionOf(sdk(flaky).customers.list())).statusCode).toBe(500);
    } finally {
      await flaky.close();
    }
    await expect(startTestEmulator({ faults: { error_rate: 3 } })).rejects.toThrow('error_rate');
  });
});
