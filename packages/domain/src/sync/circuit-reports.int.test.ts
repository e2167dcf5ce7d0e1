import { CircuitBreaker, createLogger } from '@cs/platform';
import { query, resetDatabase } from '../../../../test/support/db';
import { openOrm, type MikroORM } from '../orm';
import { reportCircuits, systemCircuits } from './circuit-reports';

// What a worker writes of its breakers, and what the API reads back, on the real database.
let orm: MikroORM;
const logger = createLogger({ name: 'circuit-reports-test', level: 'silent' });

beforeAll(async () => {
  orm = await openOrm({ databaseUrl: process.env.DATABASE_URL!, poolMax: 4 });
});
afterAll(() => orm.close());
beforeEach(() => resetDatabase());

function breaker(system: string) {
  return new CircuitBreaker(system, { failureThreshold: 1, windowMs: 60_000, coolDownMs: 60_000, probe: async () => undefined, failureOf: () => 'network_error' });
}

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const end = Date.now() + 10_000;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('circuit reports', () => {
  it('a worker reports each system’s circuit at once and on every change; the reader shows the worst live state per system; stopping removes its rows', async () => {
    const stripe = breaker('stripe');
    const salesforce = breaker('salesforce');
    const reports = reportCircuits(orm, 'outbound-worker', new Map([['stripe', stripe], ['salesforce', salesforce]]), logger);
    const read = () => systemCircuits(orm.em.fork(), ['stripe', 'salesforce', 'hubspot']);

    const first = await eventually(read, (v) => v.every((s) => s.system === 'hubspot' || s.reports.length === 1));
    expect(first.map((s) => [s.system, s.state])).toEqual([
      ['stripe', 'closed'],
      ['salesforce', 'closed'],
      ['hubspot', 'unknown'], // enabled, but no worker reports it
    ]);

    await stripe.call(() => Promise.reject(new Error('ECONNREFUSED'))).catch(() => undefined);
    const open = await eventually(read, (v) => v[0]!.state === 'open');
    expect(open[0]).toMatchObject({
      system: 'stripe',
      state: 'open',
      reports: [{ service: 'outbound-worker', instance: expect.stringMatching(/^outbound-worker@.+:\d+$/), state: 'open', failures: 1, last_failure: 'network_error', next_probe_at: expect.any(String) }],
    });

    // Another process says closed: the system shows open while any live worker holds it open.
    await query(`insert into sync_cursors (name, value) values ('circuit:stripe:inbound-worker@h:1', $1::jsonb)`, [
      JSON.stringify({ system: 'stripe', service: 'inbound-worker', instance: 'inbound-worker@h:1', state: 'closed', since: new Date().toISOString(), failures: 0, last_failure: null, next_probe_at: null }),
    ]);
    // A process that died long ago (kill -9: nobody deleted its row) is not shown.
    await query(`insert into sync_cursors (name, value, updated_at) values ('circuit:salesforce:outbound-worker@h:2', $1::jsonb, now() - interval '5 minutes')`, [
      JSON.stringify({ system: 'salesforce', service: 'outbound-worker', instance: 'outbound-worker@h:2', state: 'open', since: new Date().toISOString(), failures: 9, last_failure: 'timeout', next_probe_at: null }),
    ]);
    const mixed = await read();
    expect(mixed.find((s) => s.system === 'stripe')).toMatchObject({ state: 'open', reports: [{ service: 'inbound-worker', state: 'closed' }, { service: 'outbound-worker', state: 'open' }] });
    expect(mixed.find((s) => s.system === 'salesforce')).toMatchObject({ state: 'closed', reports: [{ state: 'closed' }] });

    stripe.stop();
    await reports.stop();
    const names = (await query<{ name: string }>(`select name from sync_cursors where name like 'circuit:%' order by name`)).map((r) => r.name);
    expect(names).toEqual(['circuit:salesforce:outbound-worker@h:2', 'circuit:stripe:inbound-worker@h:1']);
  });
});
