/**
 * Issue 18 §4: circuit breakers. Stripe down far longer than the workers' retries would last
 * (4 attempts, 100–200 ms apart): no change is parked, the circuit opens (/health/ready, /metrics,
 * the API's view for the console), and once Stripe answers again everything waiting syncs at once.
 * The same for a change the inbound worker must read from Stripe, and for a key Stripe refuses.
 */
import { query, resetDatabase } from '../test/support/db';
import { sign, stripeEvent } from '../test/support/stripe-events';
import { api } from './support/api';
import { emulator } from './support/emulator';
import { scrape } from './support/prometheus';
import { isolateTopics, startApp, startEmulator, stop, urlOf, waitFor, waitReady, WEBHOOK_SECRET, type AppName, type Proc } from './support/stack';

type Customer = { id: number; name: string; email: string };
const env = {
  OUTBOUND_MAX_ATTEMPTS: '4',
  OUTBOUND_RETRY_BASE_MS: '100',
  OUTBOUND_RETRY_MAX_MS: '200',
  INBOUND_MAX_ATTEMPTS: '4',
  INBOUND_RETRY_BASE_MS: '100',
  INBOUND_RETRY_MAX_MS: '200',
  CIRCUIT_FAILURE_THRESHOLD: '3',
  CIRCUIT_COOLDOWN_MS: '1000',
  // No catch-up polls: the inbound worker calls Stripe only when a change needs it (the test's own).
  CATCHUP_INTERVAL_MS: '0',
  STRIPE_WRITE_RATE: '500',
};
const procs = new Map<string, Proc>();

async function launch(app: AppName, extra: Record<string, string> = {}, ready = '/health/ready') {
  procs.set(app, startApp(app, { ...env, ...extra }));
  await waitReady(app, ready, 60_000);
}

beforeAll(async () => {
  await resetDatabase();
  await isolateTopics('circuit');
  procs.set('emulator', startEmulator());
  await waitReady('emulator', '/_emulator/health');
  await Promise.all((['api', 'webhook-gateway', 'outbound-worker', 'inbound-worker'] as const).map((a) => launch(a)));
}, 120_000);
afterAll(async () => {
  await Promise.all([...procs.values()].map((p) => stop(p)));
});
beforeEach(async () => {
  await emulator.faults({ outage: false, error_rate: 0 });
});

const health = async (app: AppName) => (await (await fetch(`${urlOf(app)}/health/ready`)).json()) as { checks: Record<string, string> };
const transitions = async (app: AppName, to: string) => (await scrape(app)).sum('circuit_breaker_transitions_total', { system: 'stripe', to });
const stripeState = async (app: AppName) => (await scrape(app)).sum('circuit_breaker_state', { system: 'stripe' });
const circuits = async () => (await api<{ systems: Array<{ system: string; state: string; reports: Array<{ service: string; state: string }> }> }>('GET', '/api/v1/sync/circuits')).body.systems;
const deadLetters = () => query<{ id: number; reason: string }>(`select id, reason from dead_letters`);
/** Probes that failed: each is a cool-down (1 s) of an outage the retries (~0.5 s in all) would not have outlasted. */
const failedProbes = async (app: AppName, n: number) => waitFor(`${n} failed probes in ${app}`, async () => ((await transitions(app, 'half-open')) >= n && (await stripeState(app)) > 0 ? true : undefined), 60_000, 250);

async function postWebhook(event: Record<string, unknown>) {
  const body = JSON.stringify(event);
  const res = await fetch(`${urlOf('webhook-gateway')}/api/v1/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': sign(body, WEBHOOK_SECRET) }, body });
  expect(res.status).toBe(200);
}

describe('circuit breakers', () => {
  it('Stripe down for many times the retries: nothing parks, the circuit shows open everywhere, and the backlog syncs once Stripe is back', async () => {
    await emulator.faults({ outage: true });
    const created: Customer[] = [];
    for (let i = 0; i < 20; i++) created.push((await api<Customer>('POST', '/api/v1/customers', { name: `Waiting ${i}`, email: `waiting${i}@x.io` })).body);
    for (const c of created.slice(0, 5)) await api('PATCH', `/api/v1/customers/${c.id}`, { name: `${c.name} (renamed)` });

    await waitFor('the outbound circuit open on /health/ready', async () => (/^(open|half-open)/.test((await health('outbound-worker')).checks.stripe_circuit ?? '') ? true : undefined), 30_000, 200);
    await failedProbes('outbound-worker', 5);
    const ready = await health('outbound-worker');
    expect(ready.checks.stripe).toMatch(/^error: /); // the ping, as before: Stripe does not answer
    expect(ready.checks.stripe_circuit).toMatch(/^(open since .+ failures in a row, last: api_error \(503\)\); next probe at|half-open since .+: probing)/);
    expect(await transitions('outbound-worker', 'open')).toBeGreaterThanOrEqual(5);
    expect((await circuits()).find((s) => s.system === 'stripe')).toMatchObject({ state: expect.stringMatching(/^(open|half-open)$/), reports: expect.arrayContaining([expect.objectContaining({ service: 'outbound-worker' })]) });
    expect(await deadLetters()).toEqual([]);
    expect((await emulator.customers()).length).toBe(0);

    await emulator.faults({ outage: false });
    const back = Date.now();
    const names = new Map(created.map((c, i) => [String(c.id), i < 5 ? `${c.name} (renamed)` : c.name]));
    await waitFor('every change in Stripe', async () => {
      const all = await emulator.customers();
      return all.length === names.size && all.every((s) => names.get(s.metadata.internal_id ?? '') === s.name) ? true : undefined;
    }, 30_000, 100);
    process.stdout.write(`backlog synced ${((Date.now() - back) / 1000).toFixed(1)} s after Stripe came back\n`);
    expect(await stripeState('outbound-worker')).toBe(0);
    expect((await health('outbound-worker')).checks.stripe_circuit).toBe('closed');
    await waitFor('the API shows it closed', async () => ((await circuits()).find((s) => s.system === 'stripe')?.state === 'closed' ? true : undefined), 15_000, 200);
    expect(await deadLetters()).toEqual([]);
    expect(await query(`select 1 from sync_events where status in ('parked', 'failed')`)).toEqual([]);
  }, 180_000);

  it('a change the inbound worker must read from Stripe (a same-second tie) waits for Stripe instead of parking, then is settled by its current state', async () => {
    const live = await emulator.dashboard.create({ name: 'Current', email: 'tie@x.io' });
    const T0 = Math.floor(Date.now() / 1000) - 3600;
    await postWebhook(stripeEvent({ type: 'customer.created', created: T0, customer: { id: live.id, name: 'First', email: 'tie@x.io', metadata: {} }, previous: null }));
    const ours = await waitFor('the customer here', async () => (await query<{ id: number; name: string }>(`select id, name from customers where email = 'tie@x.io'`))[0], 20_000);
    expect(ours.name).toBe('First');

    await emulator.faults({ outage: true });
    const before = await transitions('inbound-worker', 'open');
    // Stamped the same second as the create: only Stripe's current state can say which came last.
    await postWebhook(stripeEvent({ created: T0, customer: { id: live.id, name: 'Tie', email: 'tie@x.io' } }));
    await waitFor('the inbound circuit open', async () => ((await transitions('inbound-worker', 'open')) > before ? true : undefined), 30_000, 200);
    await failedProbes('inbound-worker', 4);
    expect((await health('inbound-worker')).checks.stripe_circuit).toMatch(/^(open|half-open)/);
    expect(await deadLetters()).toEqual([]);

    await emulator.faults({ outage: false });
    await waitFor('the tie settled by Stripe’s current state', async () => ((await query<{ name: string }>(`select name from customers where id = $1`, [ours.id]))[0]?.name === 'Current' ? true : undefined), 30_000, 200);
    expect(await deadLetters()).toEqual([]);
    expect((await health('inbound-worker')).checks.stripe_circuit).toBe('closed');
  }, 120_000);

  it('a key Stripe refuses opens the circuit too: the changes wait for the operator to fix the key, then sync', async () => {
    await stop(procs.get('outbound-worker')!);
    await launch('outbound-worker', { STRIPE_SECRET_KEY: 'rk_test_revoked_key' }, '/health');
    const c = (await api<Customer>('POST', '/api/v1/customers', { name: 'Keyless', email: 'keyless@x.io' })).body;
    await waitFor('the circuit open on a refused key', async () => (/^open since .+last: .*\(401\)/.test((await health('outbound-worker')).checks.stripe_circuit ?? '') ? true : undefined), 30_000, 200);
    await failedProbes('outbound-worker', 3);
    expect(await deadLetters()).toEqual([]);

    await stop(procs.get('outbound-worker')!);
    await launch('outbound-worker');
    await waitFor('the customer in Stripe', async () => ((await emulator.customers()).some((s) => s.metadata.internal_id === String(c.id)) ? true : undefined), 30_000, 200);
    expect(await deadLetters()).toEqual([]);
  }, 120_000);
});
