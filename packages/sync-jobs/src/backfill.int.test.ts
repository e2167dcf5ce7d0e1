import { Client } from 'pg';
import { applyExternalChange, openOrm, recordInboundOutcome, type ExternalState, type MikroORM } from '@cs/domain';
import { StripeIntegration, type Integration } from '@cs/integrations';
import type { ExternalChangeInput } from '@cs/kafka-schemas';
import { TokenBucket } from '@cs/platform';
import { startEmulator, type RunningEmulator } from '@cs/stripe-emulator';
import { query, resetDatabase } from '../../../test/support/db';
import { importCustomers, type ImportOptions } from './backfill';
import type { Progress } from './progress';

let orm: MikroORM;
let emu: RunningEmulator;
let stripe: StripeIntegration;

beforeAll(async () => {
  orm = await openOrm({ databaseUrl: process.env.DATABASE_URL!, poolMax: 5 });
  emu = await startEmulator({ port: 0 });
  stripe = new StripeIntegration({ secretKey: 'sk_test_backfill', apiBase: emu.url });
});
afterAll(async () => {
  await orm.close();
  await emu.close();
});
beforeEach(async () => {
  await resetDatabase();
  await fetch(`${emu.url}/_emulator/reset`, { method: 'POST', body: '{}' });
});

const silent: Progress = { start() {}, tick() {}, stop() {} };
const run = (extra: Partial<ImportOptions> = {}) => importCustomers({ orm, integration: stripe, limiter: new TokenBucket(0), progress: silent, pageSize: 100, ...extra });
const seed = (count: number, prefix = 'seed') =>
  fetch(`${emu.url}/_emulator/seed`, { method: 'POST', body: JSON.stringify({ count, email_prefix: prefix, name_prefix: 'Seed ' }) });
const dashboardCreate = async (fields: { name: string; email: string; phone?: string; address?: Record<string, string>; metadata?: Record<string, string> }) =>
  ((await (await fetch(`${emu.url}/_emulator/dashboard/customers?silent=true`, { method: 'POST', body: JSON.stringify(fields) })).json()) as { id: string }).id;
const insertCustomer = async (name: string, email: string) =>
  (await query<{ id: number }>('insert into customers (name, email) values ($1, $2) returning id', [name, email]))[0]!.id;
const count = async (table: string, where = 'true') => Number((await query<{ n: string }>(`select count(*) as n from ${table} where ${where}`))[0]!.n);

describe('backfill import', () => {
  it('creates every new record in bulk: customer, mapping, outbox row (origin stripe) and audit row each, the same as the one-by-one path', async () => {
    await seed(250);
    const result = await run();
    expect(result).toMatchObject({ seen: 250, created: 250, linked: 0, unchanged: 0, conflicts: 0 });
    expect(await count('customers')).toBe(250);
    expect(await count('external_mappings', "external_system = 'stripe' and last_synced_hash is not null and last_source_ts is not null")).toBe(250);
    expect(await count('sync_events', "status = 'success' and direction = 'inbound' and payload->>'action' = 'created'")).toBe(250);
    expect(await count('processed_events')).toBe(250);

    // The envelope must be the one every consumer decodes: compare with the API's create path.
    const [row] = await query<{ origin: string; envelope: Record<string, unknown>; id: number; email: string; updated_at: Date }>(
      `select o.origin, o.envelope, c.id, c.email, c.updated_at from outbox o join customers c on c.id = o.aggregate_id order by o.id limit 1`,
    );
    expect(row!.origin).toBe('stripe');
    expect(row!.envelope).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'customer.created',
      idempotency_key: `customer:${row!.id}:v1`,
      occurred_at: row!.updated_at.toISOString(),
      origin: 'stripe',
      trace_id: expect.stringMatching(/^backfill:/),
      payload: { customer_id: row!.id, version: 1, snapshot: { name: expect.stringMatching(/^Seed /), email: row!.email, phone: null, address: null, deleted: false } },
    });
    expect(await count('outbox')).toBe(250);
  });

  it('imports phone and address, stores them as the synced state, and finds them unchanged on a re-run', async () => {
    const stripeId = await dashboardCreate({ name: 'Ada', email: 'ada@example.com', phone: '+44 20 7946 0000', address: { line1: '1 Main St', city: 'Leeds', country: 'GB' } });
    expect(await run()).toMatchObject({ seen: 1, created: 1 });
    const address = { line1: '1 Main St', line2: null, city: 'Leeds', state: null, postal_code: null, country: 'GB' };
    const held = { name: 'Ada', email: 'ada@example.com', phone: '+44 20 7946 0000', address };
    expect(await query('select name, phone, address from customers')).toEqual([{ name: 'Ada', phone: held.phone, address }]);
    expect(await query('select external_id, last_synced_state from external_mappings')).toEqual([{ external_id: stripeId, last_synced_state: held }]);
    expect(await query(`select envelope->'payload'->'snapshot' as s from outbox`)).toEqual([{ s: { ...held, deleted: false } }]);
    expect(await run({ restart: true })).toMatchObject({ seen: 1, created: 0, unchanged: 1 });
  });

  it('links by our id and by email, creates the rest, and hands conflicts to the inbound worker for review', async () => {
    const ourId = await insertCustomer('Ours By Id', 'by-id@example.com');
    const byEmail = await insertCustomer('Ours By Email', 'by-email@example.com');
    const taken = await insertCustomer('Already Linked', 'taken@example.com');
    await query(`insert into external_mappings (internal_id, external_system, external_id) values ($1, 'stripe', 'cus_elsewhere')`, [taken]);

    await dashboardCreate({ name: 'Ours By Id', email: 'by-id@example.com', metadata: { internal_id: String(ourId) } });
    await dashboardCreate({ name: 'Ours By Email', email: 'by-email@example.com' });
    const conflicting = await dashboardCreate({ name: 'Someone Else', email: 'taken@example.com' });
    await dashboardCreate({ name: 'Twin A', email: 'twin@example.com' });
    await dashboardCreate({ name: 'Twin B', email: 'twin@example.com' });
    await seed(3, 'fresh');

    const reviewed: ExternalChangeInput[] = [];
    const result = await run({ review: async (events) => void reviewed.push(...events) });
    // Twins: the first one creates (or links), the second then finds the email taken by a customer linked elsewhere.
    expect(result).toMatchObject({ seen: 8, created: 4, linked: 2, conflicts: 2 });
    expect(await query('select internal_id from external_mappings where internal_id in ($1, $2) order by 1', [ourId, byEmail])).toEqual([
      { internal_id: ourId },
      { internal_id: byEmail },
    ]);
    expect(await count('customers', "email = 'twin@example.com'")).toBe(1);
    expect(reviewed.map((e) => e.externalId)).toContain(conflicting);
    expect(reviewed).toHaveLength(2);
    expect(reviewed[0]).toMatchObject({ system: 'stripe', entityType: 'customer', objectType: 'customer', kind: 'created', eventType: 'customer.created', via: 'backfill', eventId: expect.stringMatching(/^backfill-review:/) });
    expect(await count('sync_events', "status = 'conflict'")).toBe(2);

    // What is handed over is the neutral change the inbound worker applies, and it meets the same
    // conflict there (the worker parks such outcomes: apply-event.int.test.ts).
    const handed = reviewed.find((e) => e.externalId === conflicting)!;
    expect(handed.state).toEqual({ name: 'Someone Else', email: 'taken@example.com', phone: null, address: null, internalId: null, deleted: false });
    const state = handed.state as unknown as ExternalState;
    const outcome = await orm.em.fork().transactional((tx) =>
      applyExternalChange(tx, { system: 'stripe', objectType: 'customer', eventId: handed.eventId, kind: handed.kind, externalId: handed.externalId, sourceTs: handed.sourceTs, state, traceId: null }, { state: null }),
    );
    expect(outcome).toMatchObject({ status: 'conflict', park: true, reason: expect.stringContaining('email belongs to customer') });
  });

  it('links by email in bulk, writing the rows the one-by-one path writes', async () => {
    const ours = async () => [
      await insertCustomer('Same Name', 'same@example.com'),
      await insertCustomer('Our Name', 'differs@example.com'),
      await insertCustomer('Phone Name', 'phone@example.com'),
    ];
    const [same, differs, phone] = await ours();
    const theirPhone = { phone: '555 0100', address: { city: 'Leeds', country: 'GB' } };
    await dashboardCreate({ name: 'Same Name', email: 'same@example.com' });
    await dashboardCreate({ name: 'Their Name', email: 'differs@example.com' });
    // Same name, but a phone and address we do not have: they differ, so they receive ours.
    await dashboardCreate({ name: 'Phone Name', email: 'phone@example.com', ...theirPhone });
    expect(await run()).toMatchObject({ seen: 3, created: 0, linked: 3, conflicts: 0 });
    const bulk = await linkRows();
    // One statement writes both rows: their order is not defined.
    expect(bulk.outbox).toHaveLength(2);
    expect(bulk.outbox).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ aggregate_id: differs, event_type: 'customer.updated', origin: 'internal', key: expect.stringMatching(new RegExp(`^customer:${differs}:v1:relink:backfill:`)), occurred_is_update: true }),
        expect.objectContaining({ aggregate_id: phone, event_type: 'customer.updated', origin: 'internal', key: expect.stringMatching(new RegExp(`^customer:${phone}:v1:relink:backfill:`)), occurred_is_update: true }),
      ]),
    );
    expect(bulk.mappings.map((m) => m.internal_id)).toEqual([same, differs, phone]);

    // The same records, one by one through the inbound rules, with the same event ids, time and trace.
    await resetDatabase();
    await ours();
    for (const m of bulk.mappings) {
      const event = bulk.processed.find((p) => p.event_id.endsWith(String(m.external_id)))!.event_id;
      const state =
        m.internal_id === same
          ? { name: 'Same Name', email: 'same@example.com', phone: null, address: null }
          : m.internal_id === differs
            ? { name: 'Their Name', email: 'differs@example.com', phone: null, address: null }
            : { name: 'Phone Name', email: 'phone@example.com', phone: theirPhone.phone, address: { line1: null, line2: null, city: 'Leeds', state: null, postal_code: null, country: 'GB' } };
      const change = { system: 'stripe', objectType: 'customer', eventId: event, kind: 'created' as const, externalId: String(m.external_id), sourceTs: Number(m.last_source_ts), state: { ...state, internalId: null, deleted: false }, traceId: bulk.trace };
      await orm.em.fork().transactional(async (tx) => {
        const outcome = await applyExternalChange(tx, change, { state: change.state });
        await recordInboundOutcome(tx, { system: 'stripe', eventType: 'customer.created', traceId: bulk.trace, payload: { event_id: event, external_id: change.externalId, via: 'backfill' } }, outcome);
      });
    }
    expect(await linkRows()).toEqual(bulk);
  });

  it('applies nothing twice when run again, and a re-run over equal records is cheap', async () => {
    await seed(120);
    await run();
    const audited = await count('sync_events');
    const again = await run({ restart: true });
    expect(again).toMatchObject({ seen: 120, created: 0, linked: 0, unchanged: 120 });
    expect(await count('customers')).toBe(120);
    expect(await count('outbox')).toBe(120);
    // Re-reading equal records is not a sync attempt: no audit rows, and the mappings moved on.
    expect(await count('sync_events')).toBe(audited);
    expect(await count('external_mappings', `last_source_ts >= ${Math.floor(Date.now() / 1000) - 60}`)).toBe(120);
  });

  it('resumes after a crash from the last applied page, without duplicates', async () => {
    await seed(350);
    let calls = 0;
    const customers = stripe.catalogs.customer;
    const failingCustomers = Object.create(customers, {
      list: {
        value: async (cursor: string | null, limit: number) => {
          if (++calls === 3) throw new Error('connection reset');
          return customers.list(cursor, limit);
        },
      },
    });
    const failing: Integration = Object.create(stripe, { catalogs: { value: { customer: failingCustomers } } });
    await expect(run({ integration: failing })).rejects.toThrow('connection reset');
    expect(await count('customers')).toBe(200);

    const resumed = await run();
    expect(resumed.resumedFrom).not.toBeNull();
    expect(resumed).toMatchObject({ seen: 150, created: 150 });
    expect(await count('customers')).toBe(350);
    expect(await count('external_mappings')).toBe(350);
  });

  it('falls back to one by one when someone takes an email while the page is applied', async () => {
    await seed(10, 'race');
    // Another writer holds an uncommitted customer with one of the page's emails: the bulk
    // statement waits on the unique index, then fails when that writer commits.
    const other = new Client({ connectionString: process.env.DATABASE_URL });
    await other.connect();
    try {
      await other.query('begin');
      await other.query(`insert into customers (name, email) values ('Got There First', 'race4@example.com')`);
      const importing = run();
      await waitForLockWait();
      await other.query('commit');
      const result = await importing;
      expect(result).toMatchObject({ seen: 10, created: 9, linked: 1, conflicts: 0 });
    } finally {
      await other.end();
    }
    expect(await count('customers')).toBe(10);
    expect(await count('external_mappings')).toBe(10);
    expect(await count('customers', "email = 'race4@example.com' and name = 'Got There First'")).toBe(1);
  });
});

/** Until some session of this database waits on a lock (the import's insert behind ours). */
/** What a link writes, without what differs by nature (uuids, wall-clock times). */
async function linkRows() {
  const audit = await query<{ trace_id: string }>(
    `select event_type, entity_id, external_system, status, payload, error_message, retry_count, processed_at is not null as processed, direction, trace_id, actor from sync_events order by entity_id`,
  );
  return {
    trace: audit[0]?.trace_id ?? '',
    audit,
    mappings: await query<{ internal_id: number; external_id: string; last_source_ts: string }>(
      'select internal_id, external_id, last_synced_hash, last_synced_state, last_source_ts from external_mappings order by internal_id',
    ),
    processed: await query<{ event_id: string }>('select external_system, event_id from processed_events order by event_id'),
    outbox: await query(
      `select aggregate_id, event_type, origin, envelope->>'idempotency_key' as key, envelope->>'trace_id' as trace, envelope->'payload' as payload,
              envelope->>'type' as type, envelope->>'origin' as env_origin,
              (envelope->>'occurred_at')::timestamptz = date_trunc('milliseconds', c.updated_at) as occurred_is_update
         from outbox o join customers c on c.id = o.aggregate_id order by o.aggregate_id, o.id`,
    ),
  };
}

async function waitForLockWait(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const rows = await query(`select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
    if (rows.length > 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the import never waited on the other writer');
}
