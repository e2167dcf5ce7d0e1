import { startEmulator, type RunningEmulator } from '@cs/stripe-emulator';
import { CircuitOpenError, type CircuitBreaker, type CircuitState } from '@cs/platform';
import { circuitFor, guardIntegration } from './circuit';
import { StripeIntegration } from './stripe/stripe-integration';
import type { Integration } from './types';

// The breaker in front of a real connector (Stripe, through the official SDK) and the emulator's faults.
let emu: RunningEmulator;
let stripe: StripeIntegration;
let breaker: CircuitBreaker;
let guarded: Integration;
let states: CircuitState[];

const admin = (path: string, body?: unknown) =>
  fetch(`${emu.url}/_emulator${path}`, { method: body === undefined ? 'GET' : 'POST', ...(body === undefined ? {} : { body: JSON.stringify(body) }) }).then((r) => r.json());
const faults = (f: Record<string, unknown>) => admin('/faults', f);
const retrieves = async () => ((await admin('/stats')) as { requests: { by_route: Record<string, number> } }).requests.by_route['GET /v1/customers/:id'] ?? 0;
const failure = (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => err);
const customers = () => guarded.catalogs.customer!;
const fields = (email: string) => ({ name: 'Circuit', email });

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(() => emu.close());
beforeEach(async () => {
  await admin('/reset', { faults: true });
  stripe = new StripeIntegration({ secretKey: 'sk_test_circuit', apiBase: emu.url });
  breaker = circuitFor(stripe, { failureThreshold: 3, windowMs: 60_000, coolDownMs: 300 });
  states = [];
  breaker.onChange((s) => states.push(s.state));
  guarded = guardIntegration(stripe, breaker);
});
afterEach(() => breaker.stop());

describe('a connector behind its circuit breaker', () => {
  it('opens after three failed calls in an outage, then calls nothing until its probe finds Stripe back', async () => {
    const { externalId: id } = await customers().create(fields('circuit@example.com'), 1, { idempotencyKey: 'circuit-1' });
    await faults({ outage: true });
    for (let i = 0; i < 3; i++) expect(stripe.classifyError(await failure(customers().get(id)))).toMatchObject({ status: 503, systemDown: true });
    expect(breaker.snapshot()).toMatchObject({ state: 'open', failures: 3, lastFailure: 'api_error (503)' });

    const before = await retrieves();
    const refused = await failure(customers().get(id));
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect(guarded.classifyError(refused)).toMatchObject({ retryable: true, systemDown: true, code: 'circuit_open' });
    expect(await retrieves()).toBe(before); // refused here, never sent

    // Its probes (the ping, a customers list) fail while the outage lasts, and it stays open.
    const deadline = Date.now() + 10_000;
    while (states.filter((s) => s === 'half-open').length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(states.slice(0, 4)).toEqual(['open', 'half-open', 'open', 'half-open']);
    await faults({ outage: false });
    await breaker.whenClosed();
    await expect(customers().get(id)).resolves.toMatchObject({ externalId: id });
  });

  it('counts refused connections too, and the change feed’s polls', async () => {
    await faults({ outage: true, outage_mode: 'refuse' });
    await failure(customers().get('cus_missing'));
    await failure(guarded.feed!.poll(null));
    expect(breaker.state).toBe('closed');
    await failure(customers().list(null, 10));
    expect(breaker.state).toBe('open');
    expect(breaker.snapshot().lastFailure).toBe('network_error');
  });

  it('one record’s failures are not an outage: validation errors and missing customers keep it closed', async () => {
    await faults({ reject_email_pattern: '^bad' });
    for (let i = 0; i < 5; i++) expect(stripe.classifyError(await failure(customers().create(fields(`bad${i}@example.com`), 10 + i, { idempotencyKey: `bad-${i}` })))).toMatchObject({ status: 400, retryable: false });
    expect(await customers().get('cus_not_there')).toBeNull();
    await faults({ error_rate: 1 });
    await failure(customers().get('cus_x'));
    await failure(customers().get('cus_x'));
    await faults({ error_rate: 0 });
    await customers().get('cus_x'); // a success ends the run of failures
    await faults({ error_rate: 1 });
    await failure(customers().get('cus_x'));
    await failure(customers().get('cus_x'));
    expect(breaker.state).toBe('closed');
    await failure(customers().get('cus_x'));
    expect(breaker.state).toBe('open');
  });
});
