/**
 * Issue: changes people make in Stripe reach our catalog within a second, once, in order, never
 * bounce back to Stripe — with every app running for real and the emulator sending signed webhooks.
 */
import { getPriority } from 'node:os';
import { query, resetDatabase } from '../test/support/db';
import { threadNices } from '../test/support/process';
import { api } from './support/api';
import { emulator } from './support/emulator';
import { isolateTopics, startApp, startEmulator, stop, urlOf, waitFor, waitReady, WEBHOOK_SECRET, type Proc } from './support/stack';

type Customer = { id: number; name: string; email: string; external_mappings?: Array<{ external_id: string }> };
const procs: Proc[] = [];

beforeAll(async () => {
  await resetDatabase();
  await isolateTopics('inbound');
  const emu = startEmulator();
  procs.push(emu);
  await waitReady('emulator', '/_emulator/health');
  await emulator.addWebhook(`${urlOf('webhook-gateway')}/api/v1/webhooks/stripe`, WEBHOOK_SECRET);
  // The worker at its production priority (the e2e stack runs it at 0): checked below.
  const env = { OUTBOUND_RETRY_BASE_MS: '100', INBOUND_RETRY_BASE_MS: '100', STRIPE_WRITE_RATE: '500', INBOUND_WORKER_NICE: '10' };
  for (const app of ['api', 'webhook-gateway', 'inbound-worker', 'outbound-worker'] as const) procs.push(startApp(app, env));
  await Promise.all((['api', 'webhook-gateway', 'inbound-worker', 'outbound-worker'] as const).map((a) => waitReady(a)));
});
afterAll(async () => {
  await Promise.all(procs.map((p) => stop(p)));
});

const byEmail = async (email: string) => (await api<Customer[]>('GET', `/api/v1/customers?email=${encodeURIComponent(email)}`)).body[0];

describe('Stripe → our catalog', () => {
  it('the inbound worker runs at the CPU priority INBOUND_WORKER_NICE sets (10 by default), yielding to the gateway, on every thread', () => {
    const pid = procs[3]!.child.pid!;
    expect(getPriority(pid)).toBe(10);
    // Linux keeps nice per thread: V8's and libuv's threads too, not only the main one.
    const threads = threadNices(pid);
    expect(threads.length).toBeGreaterThan(1);
    expect(threads.filter((nice) => nice !== 10)).toEqual([]);
  });

  it('a customer created, updated and deleted in Stripe follows in our catalog, and nothing is written back to Stripe', async () => {
    await emulator.resetStats();
    const s = await emulator.dashboard.create({ name: 'Dash Board', email: 'dash@x.io' });
    const ours = await waitFor('created here', async () => byEmail('dash@x.io'), 10_000);
    const detail = (await api<Customer>('GET', `/api/v1/customers/${ours.id}`)).body;
    expect(detail).toMatchObject({ name: 'Dash Board', external_mappings: [{ external_system: 'stripe', external_id: s.id }] });

    await emulator.dashboard.update(s.id, { name: 'Dash Renamed' });
    await waitFor('updated here', async () => ((await byEmail('dash@x.io'))?.name === 'Dash Renamed' ? true : undefined), 10_000);

    await emulator.dashboard.delete(s.id);
    await waitFor('deleted here', async () => ((await api('GET', `/api/v1/customers/${ours.id}`)).status === 404 ? true : undefined), 10_000);

    // Give the outbound worker time to (wrongly) echo anything back, then check it did not.
    await waitFor('outbound handled the changes', async () => {
      const rows = await query(`select 1 from sync_events where direction = 'outbound' and entity_id = $1`, [ours.id]);
      return rows.length >= 3 ? true : undefined;
    }, 10_000);
    const stats = await emulator.stats();
    expect(stats.writes).toBe(0);
    const skipped = await query<{ reason: string }>(`select payload->>'reason' as reason from sync_events where direction = 'outbound' and entity_id = $1`, [ours.id]);
    expect(skipped.every((r) => r.reason === 'echo')).toBe(true);
  }, 40_000);

  it('a phone and an address set in Stripe reach our catalog, and clearing them there clears them here', async () => {
    const s = await emulator.dashboard.create({ name: 'Contact', email: 'contact@x.io' });
    await waitFor('created here', () => byEmail('contact@x.io'), 10_000);
    await emulator.dashboard.update(s.id, { phone: '+49 30 123456', address: { city: 'Berlin', country: 'DE' } });
    type WithContact = Customer & { phone: string | null; address: Record<string, string | null> | null };
    const updated = await waitFor('phone here', async () => {
      const c = (await api<WithContact[]>('GET', '/api/v1/customers?email=contact@x.io')).body[0];
      return c?.phone ? c : undefined;
    }, 10_000);
    expect(updated).toMatchObject({ phone: '+49 30 123456', address: { line1: null, line2: null, city: 'Berlin', state: null, postal_code: null, country: 'DE' } });
    await emulator.dashboard.update(s.id, { phone: null, address: null });
    await waitFor('cleared here', async () => {
      const c = (await api<WithContact[]>('GET', '/api/v1/customers?email=contact@x.io')).body[0];
      return c && c.phone === null && c.address === null ? c : undefined;
    }, 10_000);
  }, 30_000);

  it('our own creates come back as webhooks and are linked, not duplicated', async () => {
    const created = (await api<Customer>('POST', '/api/v1/customers', { name: 'Round Trip', email: 'round@x.io' })).body;
    await waitFor('linked', async () => {
      const c = (await api<Customer>('GET', `/api/v1/customers/${created.id}`)).body;
      return c.external_mappings?.length === 1 ? c : undefined;
    }, 10_000);
    await waitFor('the echo webhook handled', async () =>
      (await query(`select 1 from sync_events where direction = 'inbound' and entity_id = $1`, [created.id])).length > 0 ? true : undefined,
    10_000);
    expect((await api<Customer[]>('GET', '/api/v1/customers?email=round@x.io')).body).toHaveLength(1);
    expect((await emulator.customers()).filter((c) => c.email === 'round@x.io')).toHaveLength(1);
  }, 30_000);

  it('an internal edit and a Stripe edit of the same customer at once: both sides end equal', async () => {
    const created = (await api<Customer>('POST', '/api/v1/customers', { name: 'Both', email: 'both@x.io' })).body;
    const linked = await waitFor('linked', async () => (await api<Customer>('GET', `/api/v1/customers/${created.id}`)).body.external_mappings?.[0], 10_000);
    await emulator.faults({ duplicate_webhooks: 0.5, reorder_webhooks: true });
    try {
      await Promise.all([
        api('PATCH', `/api/v1/customers/${created.id}`, { name: 'Edited Here' }),
        emulator.dashboard.update(linked.external_id, { name: 'Edited There' }),
      ]);
      const settled = await waitFor('both sides equal and quiet', async () => {
        const ours = (await api<Customer>('GET', `/api/v1/customers/${created.id}`)).body;
        const theirs = (await emulator.customers()).find((c) => c.id === linked.external_id);
        if (!theirs || ours.name !== theirs.name || ours.email !== theirs.email) return undefined;
        await new Promise((r) => setTimeout(r, 1500)); // still equal after in-flight messages land?
        const again = (await api<Customer>('GET', `/api/v1/customers/${created.id}`)).body;
        const theirsAgain = (await emulator.customers()).find((c) => c.id === linked.external_id);
        return again.name === theirsAgain?.name && again.name === ours.name ? again : undefined;
      }, 30_000, 300);
      expect(['Edited Here', 'Edited There']).toContain(settled.name);
    } finally {
      await emulator.faults({ duplicate_webhooks: 0, reorder_webhooks: false });
    }
  }, 45_000);
});
