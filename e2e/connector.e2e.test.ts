/**
 * A third connected system, added through configuration alone: its connector is a module outside
 * the build (e2e/support/memory-connector.js, named by SYNC_CONNECTOR_MODULES), enabled beside
 * Stripe by SYNC_SYSTEMS. No file under apps/ names it; every app runs it like a built-in one,
 * and customers sync both ways with it while Stripe keeps syncing.
 */
import path from 'node:path';
import { query, resetDatabase } from '../test/support/db';
import { api } from './support/api';
import { emulator } from './support/emulator';
import { MemorySystem } from './support/memory-system';
import { isolateTopics, ports, ROOT, startApp, startEmulator, stop, urlOf, waitFor, waitReady, WEBHOOK_SECRET, type AppName, type Proc } from './support/stack';

const memory = new MemorySystem();
const procs: Proc[] = [];
const config = {
  SYNC_SYSTEMS: 'stripe,memory',
  SYNC_CONNECTOR_MODULES: path.join(ROOT, 'e2e/support/memory-connector.js'),
  MEMORY_SYSTEM_URL: `http://127.0.0.1:${ports.memory}`,
  CATCHUP_INTERVAL_MS: '300',
  RECONCILE_INTERVAL_MS: '0',
  OUTBOUND_RETRY_BASE_MS: '100',
  STRIPE_WRITE_RATE: '1000',
};

beforeAll(async () => {
  await resetDatabase();
  await isolateTopics('connector');
  await memory.start(ports.memory);
  procs.push(startEmulator());
  await waitReady('emulator', '/_emulator/health');
  await emulator.reset({ endpoints: true });
  await emulator.addWebhook(`${urlOf('webhook-gateway')}/api/v1/webhooks/stripe`, WEBHOOK_SECRET);
  const apps: AppName[] = ['api', 'webhook-gateway', 'outbound-worker', 'inbound-worker'];
  procs.push(...apps.map((a) => startApp(a, config)));
  await Promise.all(apps.map((a) => waitReady(a)));
}, 60_000);
afterAll(async () => {
  await Promise.all(procs.map((p) => stop(p)));
  await memory.close();
});

const stripeRecordOf = async (id: number) => (await emulator.customers()).find((c) => c.metadata.internal_id === String(id));
const ours = async (email: string) => (await query<{ id: number; name: string; deleted: boolean }>('select id, name, deleted_at is not null as deleted from customers where email = $1', [email]))[0];

describe('a connector added through configuration, beside Stripe', () => {
  it('is checked and shown like a built-in one', async () => {
    const ready = (await waitReady('outbound-worker')) as { checks: Record<string, string> };
    expect(ready.checks).toEqual({ database: 'connected', kafka: 'connected', stripe: 'authenticated', memory: 'reachable', stripe_circuit: 'closed', memory_circuit: 'closed' });
    const apiReady = (await waitReady('api')) as { checks: Record<string, string> };
    expect(apiReady.checks.memory).toBe('reachable');
  });

  it('a customer made here reaches both systems, each mapped once', async () => {
    const created = await api<{ id: number }>('POST', '/api/v1/customers', { name: 'Three Ways', email: 'three@x.io' });
    expect(created.status).toBe(201);
    const id = created.body.id;
    await waitFor('the customer in Stripe and in the memory system', async () => ((await stripeRecordOf(id)) && memory.byInternalId(id) ? true : undefined), 30_000, 100);
    const mappings = await waitFor('both mappings', async () => {
      const rows = await query<{ external_system: string; external_object_type: string }>(
        'select external_system, external_object_type from external_mappings where internal_id = $1 order by external_system',
        [id],
      );
      return rows.length === 2 ? rows : undefined;
    });
    expect(mappings).toEqual([
      { external_system: 'memory', external_object_type: 'record' },
      { external_system: 'stripe', external_object_type: 'customer' },
    ]);
    const status = await api<{ systems: Array<{ system: string; mapping: unknown }> }>('GET', `/api/v1/customers/${id}/sync`);
    expect(status.body.systems.map((s) => s.system)).toEqual(['memory', 'stripe']);
  });

  it('an edit made in the memory system reaches our catalog and Stripe through its change feed, and is not written back to it', async () => {
    const id = (await ours('three@x.io'))!.id;
    const record = memory.byInternalId(id)!;
    const writesBefore = memory.apiWrites;
    memory.edit.update(record.id, { name: 'Renamed In Memory', phone: '+1 555 0100' });
    await waitFor('the edit here', async () => ((await ours('three@x.io'))?.name === 'Renamed In Memory' ? true : undefined), 30_000, 100);
    expect(await query('select phone from customers where id = $1', [id])).toEqual([{ phone: '+1 555 0100' }]);
    await waitFor('the edit in Stripe', async () => {
      const there = await stripeRecordOf(id);
      return there?.name === 'Renamed In Memory' && there.phone === '+1 555 0100' ? true : undefined;
    }, 30_000, 100);
    await new Promise((r) => setTimeout(r, 1000)); // an echo, if any, has been sent by now
    expect(memory.apiWrites).toBe(writesBefore);
  });

  it('an edit made in Stripe reaches the memory system', async () => {
    const id = (await ours('three@x.io'))!.id;
    await emulator.dashboard.update((await stripeRecordOf(id))!.id, { name: 'Renamed In Stripe' });
    await waitFor('the edit in the memory system', async () => (memory.byInternalId(id)?.name === 'Renamed In Stripe' ? true : undefined), 30_000, 100);
    expect((await ours('three@x.io'))!.name).toBe('Renamed In Stripe');
  });

  it('a record made in the memory system becomes a customer here and in Stripe', async () => {
    memory.edit.create('From Memory', 'from-memory@x.io');
    const customer = await waitFor('the customer here', () => ours('from-memory@x.io'), 30_000, 100);
    await waitFor('the customer in Stripe', async () => ((await stripeRecordOf(customer.id))?.email === 'from-memory@x.io' ? true : undefined), 30_000, 100);
  });

  it('a deletion here reaches both', async () => {
    const id = (await ours('three@x.io'))!.id;
    const record = memory.byInternalId(id)!;
    expect((await api('DELETE', `/api/v1/customers/${id}`)).status).toBe(204);
    await waitFor('deleted in both', async () => (memory.records.get(record.id)?.deleted && !(await stripeRecordOf(id)) ? true : undefined), 30_000, 100);
  });
});
