/**
 * Issue: every accepted change reaches Stripe exactly once in effect, in order per customer,
 * through crashes, throttling and outages. Real API, Kafka, Postgres, outbound worker, emulator.
 */
import { query, resetDatabase } from '../test/support/db';
import { api } from './support/api';
import { emulator, type EmuCustomer } from './support/emulator';
import { isolateTopics, startApp, startEmulator, stop, waitFor, waitReady, type Proc } from './support/stack';

type Customer = { id: number; name: string; email: string; version: number };

let emu: Proc;
let apiProc: Proc;
let worker: Proc;
const workerEnv = { OUTBOUND_RETRY_BASE_MS: '100', OUTBOUND_RETRY_MAX_MS: '2000', OUTBOUND_MAX_ATTEMPTS: '40', STRIPE_WRITE_RATE: '500' };

async function startWorker(extra: Record<string, string> = {}) {
  worker = startApp('outbound-worker', { ...workerEnv, ...extra });
  await waitReady('outbound-worker');
}

beforeAll(async () => {
  await resetDatabase();
  await isolateTopics('outbound');
  emu = startEmulator();
  await waitReady('emulator', '/_emulator/health');
  apiProc = startApp('api');
  await waitReady('api');
  await startWorker();
});
afterAll(async () => {
  await Promise.all([worker, apiProc, emu].filter(Boolean).map((p) => stop(p)));
});
beforeEach(async () => {
  await emulator.faults({ error_rate: 0, rate_limit_rps: 0, outage: false, latency_ms: 0, reject_email_pattern: null });
});

const byInternalId = async (id: number) => (await emulator.customers()).filter((c) => c.metadata.internal_id === String(id));
const mappingOf = async (id: number) => (await query<{ external_id: string }>(`select external_id from external_mappings where internal_id = $1 and external_system = 'stripe'`, [id]))[0];
async function inStripe(id: number, expected: { name: string; email: string }, timeoutMs = 30_000): Promise<EmuCustomer> {
  return waitFor(`customer ${id} in the emulator`, async () => {
    const found = await byInternalId(id);
    const m = await mappingOf(id);
    const c = found[0];
    return c && m && found.length === 1 && c.name === expected.name && c.email === expected.email && m.external_id === c.id ? c : undefined;
  }, timeoutMs, 200);
}
const create = async (name: string, email: string) => (await api<Customer>('POST', '/api/v1/customers', { name, email })).body;

describe('outbound sync to Stripe', () => {
  it('creates, updates and deletes reach the emulator, with the mapping and a sync_events row per attempt', async () => {
    const c = await create('Grace Hopper', 'grace@navy.mil');
    const s = await inStripe(c.id, { name: 'Grace Hopper', email: 'grace@navy.mil' });
    expect(s.metadata).toEqual({ internal_id: String(c.id) });

    await api('PATCH', `/api/v1/customers/${c.id}`, { name: 'Rear Admiral Hopper' });
    await inStripe(c.id, { name: 'Rear Admiral Hopper', email: 'grace@navy.mil' });

    await api('DELETE', `/api/v1/customers/${c.id}`);
    await waitFor('deleted in the emulator', async () => ((await emulator.customers(true)).find((x) => x.id === s.id)?.deleted ? true : undefined));
    // The mapping stays as a tombstone link, marked "deleted there", so late events are recognised.
    await waitFor('delete recorded on the mapping', async () =>
      (await query(`select 1 from sync_events where entity_id = $1 and event_type = 'customer.deleted' and status = 'success'`, [c.id])).length ? true : undefined,
    );
    expect((await mappingOf(c.id))?.external_id).toBe(s.id);

    const events = await query<{ status: string; direction: string; event_type: string }>(
      `select status, direction, event_type from sync_events where entity_id = $1 and status = 'success' order by id`,
      [c.id],
    );
    expect(events.map((e) => e.event_type)).toEqual(['customer.created', 'customer.updated', 'customer.deleted']);
    expect(events.every((e) => e.direction === 'outbound')).toBe(true);
  });

  it('phone and address reach Stripe, and clearing them here clears them there', async () => {
    const body = { name: 'Ada', email: 'ada-contact@x.io', phone: '+44 20 7946 0000', address: { line1: '1 Main St', city: 'Leeds', postal_code: 'LS1 4AP', country: 'gb' } };
    const c = (await api<Customer>('POST', '/api/v1/customers', body)).body;
    const s = await inStripe(c.id, { name: 'Ada', email: 'ada-contact@x.io' });
    expect(s).toMatchObject({ phone: '+44 20 7946 0000', address: { line1: '1 Main St', line2: null, city: 'Leeds', state: null, postal_code: 'LS1 4AP', country: 'GB' } });

    await api('PATCH', `/api/v1/customers/${c.id}`, { phone: null, address: null });
    await waitFor('phone and address cleared in the emulator', async () => {
      const [now] = await byInternalId(c.id);
      return now && !now.phone && now.address === null ? now : undefined;
    });
  });

  it('an update that changes nothing makes no Stripe call', async () => {
    const c = await create('Same', 'same@x.io');
    await inStripe(c.id, { name: 'Same', email: 'same@x.io' });
    await emulator.resetStats();
    const put = await api<Customer>('PUT', `/api/v1/customers/${c.id}`, { name: 'Same', email: 'SAME@x.io' });
    expect(put.body.version).toBe(1);
    // And a message whose state is already in Stripe (a re-delivery) is skipped by hash, not sent:
    await query(`insert into outbox (aggregate_id, event_type, origin, envelope) select aggregate_id, event_type, origin, envelope from outbox where aggregate_id = $1 order by id limit 1`, [c.id]);
    await waitFor('the re-delivered message to be handled', async () =>
      (await query(`select 1 from sync_events where entity_id = $1 and status = 'skipped'`, [c.id])).length > 0 ? true : undefined,
    );
    expect((await emulator.stats()).writes).toBe(0);
  });

  it('a permanent error (an email Stripe rejects) parks the change with Stripe’s message, and the next customers still sync', async () => {
    await emulator.faults({ reject_email_pattern: '@rejected\\.test$' });
    const bad = await create('Bad', 'bad@rejected.test');
    const good = await create('Good', 'good@x.io');
    await inStripe(good.id, { name: 'Good', email: 'good@x.io' });
    const [dl] = await waitFor('a dead letter', async () => {
      const rows = await query<{ reason: string; error_code: string; attempts: number; external_system: string }>(
        `select reason, error_code, attempts, external_system from dead_letters where message_key = $1`,
        [String(bad.id)],
      );
      return rows.length ? rows : undefined;
    });
    expect(dl).toMatchObject({ error_code: 'email_invalid', attempts: 1, external_system: 'stripe' });
    expect(dl!.reason).toContain('Invalid email address: bad@rejected.test');
    expect(await byInternalId(bad.id)).toHaveLength(0);
  });

  it('30% 500s and a rate limit: every change arrives, none twice', async () => {
    await emulator.faults({ error_rate: 0.3, rate_limit_rps: 40 });
    const made = await Promise.all(Array.from({ length: 30 }, (_, i) => create(`Flaky ${i}`, `flaky${i}@x.io`)));
    for (const c of made.slice(0, 10)) await api('PATCH', `/api/v1/customers/${c.id}`, { name: `Flaky ${c.id} v2` });
    await waitFor('all 30 in Stripe', async () => {
      const all = await emulator.customers();
      const ours = made.map((c) => all.filter((s) => s.metadata.internal_id === String(c.id)));
      return ours.every((list) => list.length === 1) ? true : undefined;
    }, 90_000, 500);
    for (const c of made.slice(0, 10)) await inStripe(c.id, { name: `Flaky ${c.id} v2`, email: c.email }, 60_000);
    const stats = await emulator.stats();
    expect(stats.errors_injected + stats.rate_limited).toBeGreaterThan(0);
    const all = await emulator.customers();
    expect(new Set(all.map((s) => s.metadata.internal_id)).size).toBe(all.length);
  }, 120_000);

  it('Stripe down for 30 s: changes wait and catch up after', async () => {
    await emulator.faults({ outage: true });
    const c = await create('Patient', 'patient@x.io');
    await new Promise((r) => setTimeout(r, 30_000));
    expect(await byInternalId(c.id)).toHaveLength(0);
    expect(await query(`select 1 from dead_letters where message_key = $1`, [String(c.id)])).toHaveLength(0);
    await emulator.faults({ outage: false });
    await inStripe(c.id, { name: 'Patient', email: 'patient@x.io' }, 30_000);
  }, 90_000);

  it('kill -9 right after the Stripe create, before the mapping is stored: after restart there is still exactly one Stripe customer', async () => {
    await stop(worker);
    await startWorker({ FAULT_CRASH_AFTER_EXTERNAL_CREATE: 'true' });
    const c = await create('Crashy', 'crashy@x.io');
    const { signal } = await worker.exited;
    expect(signal).toBe('SIGKILL');
    expect(await byInternalId(c.id)).toHaveLength(1);
    expect(await mappingOf(c.id)).toBeUndefined();

    await startWorker();
    await inStripe(c.id, { name: 'Crashy', email: 'crashy@x.io' });
    expect(await byInternalId(c.id)).toHaveLength(1);
  }, 60_000);
});
