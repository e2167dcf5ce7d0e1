/**
 * The retention job over a database of its own, its clock moved months ahead: sync_events' months
 * made ahead (rows that waited in DEFAULT moved into theirs), months past the retention dropped
 * with the rows the sync still reads kept, and one instance at a time.
 */
import { Client } from 'pg';
import { compactRollups, customerCatalog, loadOutboundState, openOrm, syncAnalytics, waitingReason, type MikroORM } from '@cs/domain';
import { scratchDatabase } from '../../../test/support/db';
import { runRetention } from './retention';

const SETTINGS = { processedEventsDays: 30, syncEventsDays: 90, partitionsAhead: 2 };
const JAN = new Date('2040-01-15T12:00:00Z');
const MAY = new Date('2040-05-15T12:00:00Z');

let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
let orm: MikroORM;
const rows = async <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) => (await scratch.db.query<T>(sql, params)).rows;
/** Outcomes in January 2040 as GET /sync/analytics counts them (the rollups, folded and not). */
const januarySyncs = async () =>
  (await syncAnalytics(orm.em.fork(), { from: new Date('2040-01-01T00:00:00Z'), to: new Date('2040-02-01T00:00:00Z'), bucketSeconds: 86_400 })).totals.syncs;
const januaryRows = async () =>
  (await rows<{ n: number }>(`select count(*)::int as n from sync_events where created_at >= '2040-01-01T00:00:00Z' and created_at < '2040-02-01T00:00:00Z' and status <> 'pending'`))[0]!.n;
const partitions = async () =>
  (await rows<{ name: string }>(`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'sync_events'::regclass order by 1`)).map((r) => r.name);
const insertEvent = (at: string, fields: { entity?: string; id?: number; status?: string; direction?: string; payload?: object } = {}) =>
  rows<{ id: number }>(
    `insert into sync_events (event_id, event_type, entity_type, entity_id, external_system, status, payload, direction, created_at)
     values (gen_random_uuid(), 'customer.updated', $1, $2, 'stripe', $3, $4, $5, $6) returning id`,
    [fields.entity ?? 'customer', fields.id ?? 1, fields.status ?? 'success', JSON.stringify(fields.payload ?? {}), fields.direction ?? 'outbound', at],
  ).then((r) => r[0]!.id);

beforeAll(async () => {
  scratch = await scratchDatabase('retention');
  orm = await openOrm({ databaseUrl: scratch.url, poolMax: 3 });
  await orm.getMigrator().up();
});
afterAll(async () => {
  await orm.close(true);
  await scratch.drop();
});

describe('the retention job', () => {
  it('makes this month and the next two, moving the rows that waited in DEFAULT into their month, and drops the months past the retention', async () => {
    const jan = await insertEvent('2040-01-05T00:00:00Z');
    const feb = await insertEvent('2040-02-03T00:00:00Z');
    const far = await insertEvent('2045-01-01T00:00:00Z');
    expect(await rows(`select count(*)::int as n from sync_events_default`)).toEqual([{ n: 3 }]);

    const report = await runRetention(orm, SETTINGS, JAN);

    expect(report?.syncEvents.created).toEqual(['sync_events_2040_01', 'sync_events_2040_02', 'sync_events_2040_03']);
    // The months the migration made (around the real date) are long past in 2040: dropped, empty.
    expect(report?.syncEvents.dropped.filter((d) => d.rows > 0)).toEqual([]);
    expect(await partitions()).toEqual(['sync_events_2040_01', 'sync_events_2040_02', 'sync_events_2040_03', 'sync_events_default']);
    expect(await rows(`select id, tableoid::regclass::text as part from sync_events order by id`)).toEqual([
      { id: jan, part: 'sync_events_2040_01' },
      { id: feb, part: 'sync_events_2040_02' },
      { id: far, part: 'sync_events_default' },
    ]);
    expect(report).toMatchObject({ processedEventsRemoved: 0, syncEventsRemoved: 0 });
  });

  it('drops a month past the retention whole but for the rows the sync still reads, which stay, unchanged, in DEFAULT until they are not needed', async () => {
    await scratch.db.query(`insert into customers (id, name, email) values (1, 'Linked', 'linked@x.io'), (2, 'Unlinked', 'unlinked@x.io')`);
    await scratch.db.query(`insert into external_mappings (internal_id, external_system, external_id) values (1, 'stripe', 'cus_1')`);
    await scratch.db.query(`insert into invoices (id, customer_id, currency, collection_method) values (7, 2, 'eur', 'charge_automatically'), (8, 1, 'eur', 'charge_automatically')`);
    await scratch.db.query(`insert into external_mappings (entity_type, internal_id, external_system, external_object_type, external_id) values ('invoice', 8, 'stripe', 'invoice', 'in_8')`);
    const at = '2040-01-20T00:00:00Z';
    const unlinkedCreate = await insertEvent(at, { id: 2, status: 'pending', payload: { action: 'create' } });
    const waitingInvoice = await insertEvent(at, { entity: 'invoice', id: 7, status: 'skipped', payload: { reason: waitingReason('stripe') } });
    await insertEvent(at, { id: 1, status: 'pending', payload: { action: 'create' } }); // linked since: not needed
    await insertEvent(at, { entity: 'invoice', id: 8, status: 'skipped', payload: { reason: waitingReason('stripe') } }); // linked since
    await insertEvent(at, { id: 2, status: 'failed', payload: { code: 'server_error' } });
    await insertEvent(at, { id: 2, direction: 'inbound', payload: { action: 'create' } });
    const oldInDefault = await insertEvent('2039-06-01T00:00:00Z');
    const kept = `select to_jsonb(e) as row from sync_events e where id in (${unlinkedCreate}, ${waitingInvoice}) order by id`;
    const before = await rows(kept);
    await scratch.db.query(`insert into processed_events (external_system, event_id, processed_at) values ('stripe', 'evt_old', '2040-04-15T11:59:59Z'), ('stripe', 'evt_new', '2040-04-15T12:00:01Z')`);

    // The month's outcomes (pending create markers are not outcomes), folded into rollups.
    await compactRollups(orm.em.fork());
    const outcomes = await januaryRows();
    expect(outcomes).toBeGreaterThanOrEqual(4);
    expect(await januarySyncs()).toBe(outcomes);

    const report = await runRetention(orm, SETTINGS, MAY);

    // The month's analytics go with it, but for the waiting invoice's row, still there.
    expect(await januaryRows()).toBe(1);
    expect(await januarySyncs()).toBe(1);
    // Whole months ending by 2040-02-15 (90 days back) go: January; February ends after it and stays.
    expect(report?.syncEvents).toEqual({
      created: ['sync_events_2040_05', 'sync_events_2040_06', 'sync_events_2040_07'],
      dropped: [{ partition: 'sync_events_2040_01', rows: 7, kept: 2 }],
      defaultRemoved: 1,
    });
    expect(report).toMatchObject({ processedEventsRemoved: 1, syncEventsRemoved: 6 });
    expect(await partitions()).not.toContain('sync_events_2040_01');
    expect(await rows(`select id from sync_events where id = $1`, [oldInDefault])).toEqual([]);
    expect(await rows(kept)).toEqual(before);
    expect(await rows(`select distinct tableoid::regclass::text as part from sync_events where id in (${unlinkedCreate}, ${waitingInvoice})`)).toEqual([{ part: 'sync_events_default' }]);
    expect(await rows(`select event_id from processed_events`)).toEqual([{ event_id: 'evt_new' }]);

    // What they are kept for still works: customer 2's next push looks for it in Stripe before creating it...
    const em = orm.em.fork();
    const marker = { eventType: 'customer.updated', entityId: 2, system: 'stripe', status: 'pending' as const, direction: 'outbound' as const, traceId: null, payload: { action: 'create' } };
    expect(await loadOutboundState(em, customerCatalog, 2, { system: 'stripe', objectType: 'customer' }, marker)).toMatchObject({ triedToCreate: true, createMarked: false });
    // ...and its link wakes the invoice that waited for it (the mappings' trigger reads the kept row).
    await scratch.db.query(`insert into external_mappings (internal_id, external_system, external_id) values (2, 'stripe', 'cus_2')`);
    expect(await rows(`select aggregate_id, envelope->>'target_system' as target from outbox where entity_type = 'invoice'`)).toEqual([{ aggregate_id: 7, target: 'stripe' }]);

    // Once both are linked, neither row is read again: the next pass removes both from DEFAULT.
    await scratch.db.query(`insert into external_mappings (entity_type, internal_id, external_system, external_object_type, external_id) values ('invoice', 7, 'stripe', 'invoice', 'in_7')`);
    expect((await runRetention(orm, SETTINGS, MAY))?.syncEvents).toEqual({ created: [], dropped: [], defaultRemoved: 2 });
    expect(await rows(`select id from sync_events where id in (${unlinkedCreate}, ${waitingInvoice})`)).toEqual([]);
    expect(await januarySyncs()).toBe(0);
    expect(await rows(`select count(*)::int as n from sync_events_default`)).toEqual([{ n: 1 }]); // the one far ahead
  });

  it('runs in one instance at a time: while another holds the job, it does nothing', async () => {
    await scratch.db.query(`insert into processed_events (external_system, event_id, processed_at) values ('stripe', 'evt_older', '2040-01-01T00:00:00Z')`);
    const other = new Client({ connectionString: scratch.url });
    await other.connect();
    try {
      await other.query(`select pg_advisory_lock(hashtext('retention'))`);
      expect(await runRetention(orm, SETTINGS, MAY)).toBeUndefined();
      expect(await rows(`select event_id from processed_events where event_id = 'evt_older'`)).toHaveLength(1);
    } finally {
      await other.end();
    }
    expect(await runRetention(orm, SETTINGS, MAY)).toMatchObject({ processedEventsRemoved: 1 });
  });
});
