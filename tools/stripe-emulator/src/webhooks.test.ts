import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import type { RunningEmulator, StatsSnapshot } from './index';
import { admin, sdk, startReceiver, startTestEmulator, type Receiver } from './test/helpers';

const SECRET = 'whsec_test_secret';
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

const verify = (hook: { body: string; signature: string }): Stripe.Event => stripe.webhooks.constructEvent(hook.body, hook.signature, SECRET);
const stats = async (): Promise<StatsSnapshot> => (await admin<StatsSnapshot>(emulator, 'GET', '/_emulator/stats')).body;

describe('webhook delivery', () => {
  it('POSTs each event with a signature the SDK verifies', async () => {
    const customer = await stripe.customers.create({ email: 'hook@example.com' });
    const [hook] = await receiver.waitFor(1);
    expect(hook!.contentType).toMatch(/^application\/json/);
    expect(hook!.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const event = verify(hook!);
    expect(event.type).toBe('customer.created');
    expect((event.data.object as Stripe.Customer).id).toBe(customer.id);
    expect(event.pending_webhooks).toBe(1);
    // A wrong secret must fail verification, so the check above is meaningful.
    expect(() => stripe.webhooks.constructEvent(hook!.body, hook!.signature, 'whsec_wrong')).toThrow(Stripe.errors.StripeSignatureVerificationError);
    await emulator.state.webhooks.whenIdle();
    expect((await stripe.events.retrieve(event.id)).pending_webhooks).toBe(0);
  });

  it('retries a failed delivery after the 500 ms backoff, re-signed', async () => {
    receiver.respond = (i) => (i === 0 ? 500 : 200);
    await stripe.customers.create({ name: 'retry me' });
    const [first, second] = await receiver.waitFor(2, 3_000);
    expect(verify(first!).id).toBe(verify(second!).id);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(450);
    await emulator.state.webhooks.whenIdle();
    expect((await stats()).webhooks).toEqual({ attempted: 2, succeeded: 1, failed: 1, pending: 0, abandoned: 0 });
  });

  it('never blocks the API response on a slow receiver', async () => {
    const slow = http.createServer((_req, res) => setTimeout(() => res.writeHead(200).end(), 1_000));
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    await admin(emulator, 'POST', '/_emulator/webhook-endpoints', { url: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`, secret: SECRET });
    const started = Date.now();
    await stripe.customers.create({ name: 'fast' });
    expect(Date.now() - started).toBeLessThan(300);
    expect((await stats()).webhooks.pending).toBeGreaterThanOrEqual(1);
    emulator.state.reset({ endpoints: true });
    slow.closeAllConnections();
    await new Promise((resolve) => slow.close(resolve));
  });

  it('limits deliveries in flight to 8', async () => {
    let active = 0;
    let peak = 0;
    const gate = http.createServer((req, res) => {
      active++;
      peak = Math.max(peak, active);
      req.resume();
      setTimeout(() => {
        active--;
        res.writeHead(200).end();
      }, 100);
    });
    await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
    await admin(emulator, 'DELETE', '/_emulator/webhook-endpoints');
    await admin(emulator, 'POST', '/_emulator/webhook-endpoints', { url: `http://127.0.0.1:${(gate.address() as AddressInfo).port}/`, secret: SECRET });
    await admin(emulator, 'POST', '/_emulator/seed', { count: 30, emit_events: true });
    await emulator.state.webhooks.whenIdle();
    expect(peak).toBe(8);
    expect((await stats()).webhooks.succeeded).toBe(30);
    gate.closeAllConnections();
    await new Promise((resolve) => gate.close(resolve));
  });

  it('sends a share of deliveries twice with duplicate_webhooks', async () => {
    await admin(emulator, 'POST', '/_emulator/faults', { duplicate_webhooks: 1 });
    await stripe.customers.create({ name: 'dup' });
    const hooks = await receiver.waitFor(2);
    expect(verify(hooks[0]!).id).toBe(verify(hooks[1]!).id);
    await emulator.state.webhooks.whenIdle();
    expect(receiver.received).toHaveLength(2);
  });

  it('lets later events overtake earlier ones with reorder_webhooks', async () => {
    await admin(emulator, 'POST', '/_emulator/faults', { reorder_webhooks: true });
    const created: string[] = [];
    for (let i = 0; i < 20; i++) created.push((await stripe.customers.create({ name: `r${i}` })).id);
    const hooks = await receiver.waitFor(20);
    const arrived = hooks.map((h) => (verify(h).data.object as Stripe.Customer).id);
    expect(new Set(arrived)).toEqual(new Set(created));
    expect(arrived).not.toEqual(created);
  });

  it('gives up after the configured number of attempts', async () => {
    const stubborn = await startTestEmulator({ webhookMaxAttempts: 3, webhookRetryInitialMs: 20 });
    try {
      receiver.respond = () => 503;
      await admin(stubborn, 'POST', '/_emulator/webhook-endpoints', { url: receiver.url, secret: SECRET });
      await sdk(stubborn).customers.create({ name: 'doomed' });
      await stubborn.state.webhooks.whenIdle();
      expect(receiver.received).toHaveLength(3);
      expect((await admin<StatsSnapshot>(stubborn, 'GET', '/_emulator/stats')).body.webhooks).toEqual({ attempted: 3, succeeded: 0, failed: 3, pending: 0, abandoned: 1 });
    } finally {
      await stubborn.close();
    }
  });

  it('counts connection errors as failures and registers endpoints given at start', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = http.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const lonely = await startTestEmulator({ webhookEndpoints: [{ url: `http://127.0.0.1:${closedPort}/`, secret: SECRET }], webhookMaxAttempts: 2, webhookRetryInitialMs: 10 });
    try {
      expect((await admin<{ data: unknown[] }>(lonely, 'GET', '/_emulator/webhook-endpoints')).body.data).toEqual([expect.objectContaining({ url: `http://127.0.0.1:${closedPort}/`, secret: SECRET })]);
      await sdk(lonely).customers.create({ name: 'nobody home' });
      await lonely.state.webhooks.whenIdle();
      expect(lonely.state.webhooks.counters()).toMatchObject({ attempted: 2, failed: 2, abandoned: 1, pending: 0 });
    } finally {
      await lonely.close();
    }
  });
});
