/**
 * Every migration after the first is an upgrade of databases in the field: this migrates a
 * database populated under the first schema (as production has it) and checks that every row
 * survives, reads as the new schema says, and that the new keys allow what they are for.
 */
import { Client } from 'pg';
import { migrationsList } from '@cs/migrations';
import { scratchDatabase } from '../../../test/support/db';
import { compactRollups, rowCounts } from './analytics';
import { openOrm, type MikroORM } from './orm';
import { syncAnalytics } from './sync/sync-analytics';

let orm: MikroORM;
let db: Client;
let scratch: Awaited<ReturnType<typeof scratchDatabase>>;

beforeAll(async () => {
  scratch = await scratchDatabase('upgrade');
  db = scratch.db;
  orm = await openOrm({ databaseUrl: scratch.url, poolMax: 2 });
});
afterAll(async () => {
  await orm.close(true);
  await scratch.drop();
});

const rows = async (sql: string) => (await db.query(sql)).rows;

describe('upgrading a database populated under the first schema', () => {
  it('keeps every customer, mapping, pending outbox row, processed event and dead letter, and reads them under the new keys', async () => {
    const first = migrationsList[0]!.name;
    await orm.getMigrator().up({ to: first });

    // What a running installation holds, written the way the first schema's code wrote it.
    await db.query(`insert into customers (name, email) values ('Ada', 'ada@x.io'), ('Grace', 'grace@x.io'), ('Gone', 'gone@x.io')`);
    await db.query(`update customers set deleted_at = now(), version = 2 where email = 'gone@x.io'`);
    await db.query(`insert into external_mappings (internal_customer_id, external_system, external_id, last_synced_hash, last_synced_at, last_source_ts)
                    values (1, 'stripe', 'cus_ada', repeat('a', 64), now(), 1800000000), (3, 'stripe', 'cus_gone', repeat('d', 64), now(), 1800000100)`);
    await db.query(`insert into outbox (aggregate_id, event_type, origin, envelope, published_at) values
                    (2, 'customer.created', 'internal', '{"type":"customer.created","payload":{"customer_id":2}}', null),
                    (1, 'customer.updated', 'stripe', '{"type":"customer.updated","payload":{"customer_id":1}}', now())`);
    await db.query(`insert into processed_events (external_system, event_id) values ('stripe', 'evt_1'), ('stripe', 'evt_2')`);
    await db.query(`insert into dead_letters (source_topic, message_key, external_system, reason, error_code, attempts, envelope)
                    values ('customer.events', '2', 'stripe', 'email rejected', 'email_invalid', 1, '{"type":"customer.created"}')`);
    await db.query(`insert into sync_events (event_id, event_type, entity_type, entity_id, external_system, status, direction)
                    values (gen_random_uuid(), 'customer.created', 'customer', 1, 'stripe', 'success', 'outbound')`);
    await db.query(`insert into sync_cursors (name, value) values ('catchup:stripe', '{"ts":1800000000,"ids":[]}')`);

    const applied = await orm.getMigrator().up();
    expect(applied.map((m) => m.name)).toEqual(migrationsList.slice(1).map((m) => m.name));

    // Customers from before phone and address have neither; mappings from before keep no synced state.
    expect(await rows('select id, name, email, phone, address, version, deleted_at is not null as deleted from customers order by id')).toEqual([
      { id: 1, name: 'Ada', email: 'ada@x.io', phone: null, address: null, version: 1, deleted: false },
      { id: 2, name: 'Grace', email: 'grace@x.io', phone: null, address: null, version: 1, deleted: false },
      { id: 3, name: 'Gone', email: 'gone@x.io', phone: null, address: null, version: 2, deleted: true },
    ]);
    expect(await rows('select count(*)::int as n from external_mappings where last_synced_state is not null')).toEqual([{ n: 0 }]);
    expect(await rows('select entity_type, internal_id, external_system, external_object_type, external_id, last_synced_hash, last_source_ts from external_mappings order by id')).toEqual([
      { entity_type: 'customer', internal_id: 1, external_system: 'stripe', external_object_type: 'customer', external_id: 'cus_ada', last_synced_hash: 'a'.repeat(64), last_source_ts: '1800000000' },
      { entity_type: 'customer', internal_id: 3, external_system: 'stripe', external_object_type: 'customer', external_id: 'cus_gone', last_synced_hash: 'd'.repeat(64), last_source_ts: '1800000100' },
    ]);
    expect(await rows('select entity_type, aggregate_id, event_type, origin, published_at is null as pending from outbox order by id')).toEqual([
      { entity_type: 'customer', aggregate_id: 2, event_type: 'customer.created', origin: 'internal', pending: true },
      { entity_type: 'customer', aggregate_id: 1, event_type: 'customer.updated', origin: 'stripe', pending: false },
    ]);
    expect(await rows('select external_system, event_id from processed_events order by event_id')).toEqual([
      { external_system: 'stripe', event_id: 'evt_1' },
      { external_system: 'stripe', event_id: 'evt_2' },
    ]);
    expect(await rows('select entity_type, message_key, external_system, reason, status from dead_letters')).toEqual([
      { entity_type: 'customer', message_key: '2', external_system: 'stripe', reason: 'email rejected', status: 'parked' },
    ]);
    expect(await rows('select count(*)::int as n from sync_events')).toEqual([{ n: 1 }]);
    expect(await rows('select value from sync_cursors')).toEqual([{ value: { ts: 1800000000, ids: [] } }]);

    // What the new keys are for: one customer maps to two records of one system (an Account and a
    // Contact), and an invoice may carry a customer's id; the same record twice is still refused.
    await db.query(`insert into external_mappings (entity_type, internal_id, external_system, external_object_type, external_id) values
                    ('customer', 1, 'salesforce', 'Account', '001A'), ('customer', 1, 'salesforce', 'Contact', '003A'), ('invoice', 1, 'stripe', 'invoice', 'in_1')`);
    await expect(db.query(`insert into external_mappings (entity_type, internal_id, external_system, external_object_type, external_id) values ('customer', 1, 'salesforce', 'Account', '001B')`)).rejects.toMatchObject({ code: '23505' });
    await expect(db.query(`insert into external_mappings (entity_type, internal_id, external_system, external_object_type, external_id) values ('customer', 2, 'stripe', 'customer', 'cus_ada')`)).rejects.toMatchObject({ code: '23505' });
    // The cascade the old reference gave: a customer row removed by hand takes its mappings, not an invoice's of the same id.
    await db.query(`insert into customers (name, email) values ('Removed', 'removed@x.io')`);
    await db.query(`insert into external_mappings (entity_type, internal_id, external_system, external_object_type, external_id) values ('customer', 4, 'stripe', 'customer', 'cus_removed'), ('invoice', 4, 'stripe', 'invoice', 'in_4')`);
    await db.query('delete from customers where id = 4');
    expect(await rows(`select entity_type, external_id from external_mappings where internal_id = 4`)).toEqual([{ entity_type: 'invoice', external_id: 'in_4' }]);
  });

  it('can be taken back to the first schema, keeping the customer mappings', async () => {
    await db.query(`delete from external_mappings where external_system = 'salesforce' or entity_type = 'invoice'`);
    // Reverts every migration after the first, down to and including the second.
    await orm.getMigrator().down({ to: migrationsList[1]!.name });
    expect(await rows('select internal_customer_id, external_id from external_mappings order by id')).toEqual([
      { internal_customer_id: 1, external_id: 'cus_ada' },
      { internal_customer_id: 3, external_id: 'cus_gone' },
    ]);
    await orm.getMigrator().up();
    expect(await rows('select count(*)::int as n from external_mappings')).toEqual([{ n: 2 }]);
  });
});

describe('upgrading a database populated under the customer-contact schema to the invoice catalog', () => {
  const invoices = migrationsList.find((m) => m.name === 'Migration20261203000000_invoices')!.name;
  const insertInvoice = (values: string) =>
    db.query(`insert into invoices (customer_id, currency, status, collection_method, due_date, amount_due, amount_paid, amount_remaining) values ${values}`);

  it('keeps customers, mappings and pending outbox rows, and adds invoices whose checks hold every rule', async () => {
    await db.query('truncate customers, external_mappings, outbox restart identity cascade');
    await orm.getMigrator().down({ to: invoices });
    expect(await rows(`select count(*)::int as n from information_schema.tables where table_name in ('invoices', 'invoice_lines')`)).toEqual([{ n: 0 }]);

    await db.query(`insert into customers (name, email, phone, address) values ('Ada', 'ada@x.io', '+44 1', '{"city":"Leeds","country":"GB"}'), ('Gone', 'gone@x.io', null, null)`);
    await db.query(`update customers set deleted_at = now(), version = 2 where id = 2`);
    await db.query(`insert into external_mappings (entity_type, internal_id, external_system, external_object_type, external_id, last_synced_state)
                    values ('customer', 1, 'stripe', 'customer', 'cus_ada', '{"name":"Ada"}')`);
    await db.query(`insert into outbox (entity_type, aggregate_id, event_type, origin, envelope) values ('customer', 1, 'customer.created', 'internal', '{"type":"customer.created"}')`);

    expect((await orm.getMigrator().up({ to: invoices })).map((m) => m.name)).toEqual([invoices]);

    expect(await rows('select id, name, phone, address, version, deleted_at is not null as deleted from customers order by id')).toEqual([
      { id: 1, name: 'Ada', phone: '+44 1', address: { city: 'Leeds', country: 'GB' }, version: 1, deleted: false },
      { id: 2, name: 'Gone', phone: null, address: null, version: 2, deleted: true },
    ]);
    expect(await rows('select external_id, last_synced_state from external_mappings')).toEqual([{ external_id: 'cus_ada', last_synced_state: { name: 'Ada' } }]);
    expect(await rows('select entity_type, event_type, published_at from outbox')).toEqual([{ entity_type: 'customer', event_type: 'customer.created', published_at: null }]);

    // A valid draft and its lines; then every rule the checks hold, each refused with its constraint.
    await insertInvoice(`(1, 'eur', 'draft', 'send_invoice', '2027-01-31', 300, 0, 300)`);
    await db.query(`insert into invoice_lines (invoice_id, description, quantity, unit_amount, position) values (1, 'Seats', 3, 100, 0)`);
    expect(await rows('select id, status, amount_due, amount_remaining, due_date::text from invoices')).toEqual([
      { id: 1, status: 'draft', amount_due: '300', amount_remaining: '300', due_date: '2027-01-31' },
    ]);
    const refused: Array<[string, () => Promise<unknown>, string]> = [
      ['unknown customer', () => insertInvoice(`(99, 'eur', 'draft', 'send_invoice', '2027-01-31', 0, 0, 0)`), '23503'],
      ['upper-case currency', () => insertInvoice(`(1, 'EUR', 'draft', 'charge_automatically', null, 0, 0, 0)`), '23514'],
      ['unknown status', () => insertInvoice(`(1, 'eur', 'sent', 'charge_automatically', null, 0, 0, 0)`), '23514'],
      ['unknown collection method', () => insertInvoice(`(1, 'eur', 'draft', 'cheque', null, 0, 0, 0)`), '23514'],
      ['send_invoice without a due date', () => insertInvoice(`(1, 'eur', 'draft', 'send_invoice', null, 0, 0, 0)`), '23514'],
      ['charge_automatically with a due date', () => insertInvoice(`(1, 'eur', 'draft', 'charge_automatically', '2027-01-31', 0, 0, 0)`), '23514'],
      ['remaining not due minus paid', () => insertInvoice(`(1, 'eur', 'open', 'charge_automatically', null, 300, 100, 300)`), '23514'],
      ['paid more than due', () => insertInvoice(`(1, 'eur', 'paid', 'charge_automatically', null, 300, 400, -100)`), '23514'],
      ['amount beyond MAX_SAFE_INTEGER', () => insertInvoice(`(1, 'eur', 'draft', 'charge_automatically', null, 9007199254740992, 0, 9007199254740992)`), '23514'],
      ['quantity 0', () => db.query(`insert into invoice_lines (invoice_id, description, quantity, unit_amount, position) values (1, 'x', 0, 1, 1)`), '23514'],
      ['negative unit amount', () => db.query(`insert into invoice_lines (invoice_id, description, quantity, unit_amount, position) values (1, 'x', 1, -1, 1)`), '23514'],
      ['unit amount over 99999999', () => db.query(`insert into invoice_lines (invoice_id, description, quantity, unit_amount, position) values (1, 'x', 1, 100000000, 1)`), '23514'],
      ['a position taken', () => db.query(`insert into invoice_lines (invoice_id, description, quantity, unit_amount, position) values (1, 'x', 1, 1, 0)`), '23505'],
      ['a customer with invoices removed by hand', () => db.query('delete from customers where id = 1'), '23503'],
      ['a deleted invoice that is no draft', () => db.query(`update invoices set status = 'open', deleted_at = now() where id = 1`), '23514'],
    ];
    for (const [what, run, code] of refused) await expect(run().then(() => what)).rejects.toMatchObject({ code });
    expect(await rows(`select indexdef from pg_indexes where indexname = 'invoices_customer_status_idx'`)).toEqual([
      { indexdef: 'CREATE INDEX invoices_customer_status_idx ON public.invoices USING btree (customer_id, status)' },
    ]);
  });

  it('can be taken back, dropping the invoices, their mappings and their outbox rows only', async () => {
    await db.query(`insert into external_mappings (entity_type, internal_id, external_system, external_object_type, external_id) values ('invoice', 1, 'stripe', 'invoice', 'in_1')`);
    await db.query(`insert into outbox (entity_type, aggregate_id, event_type, origin, envelope) values ('invoice', 1, 'invoice.created', 'internal', '{"type":"invoice.created"}')`);
    await orm.getMigrator().down({ to: invoices });
    expect(await rows('select entity_type, external_id from external_mappings')).toEqual([{ entity_type: 'customer', external_id: 'cus_ada' }]);
    expect(await rows('select entity_type from outbox')).toEqual([{ entity_type: 'customer' }]);
    expect(await rows(`select count(*)::int as n from information_schema.tables where table_name in ('invoices', 'invoice_lines')`)).toEqual([{ n: 0 }]);
    await orm.getMigrator().up();
  });
});

describe('upgrading a database whose generic mappings ran as Migration20261201000000 first shipped', () => {
  const fix = 'Migration20261204000000_mappings_key_and_cascade';
  const keyDef = async () => (await rows(`select pg_get_constraintdef(oid) as def from pg_constraint where conname = 'external_mappings_internal_uq'`))[0]?.def;
  const trigger = async () => (await rows(`select count(*)::int as n from pg_trigger where tgname = 'customers_forget_mappings'`))[0]?.n;

  it('puts our id first in the internal key and adds the cascade trigger, keeping every mapping', async () => {
    await db.query('truncate customers, external_mappings, outbox restart identity cascade');
    await orm.getMigrator().down({ to: fix });
    // As 20261201 shipped: the key led by the entity type, no trigger.
    expect(await keyDef()).toBe('UNIQUE (entity_type, internal_id, external_system, external_object_type)');
    expect(await trigger()).toBe(0);
    await db.query(`insert into customers (name, email) values ('Ada', 'ada@x.io'), ('Removed', 'removed@x.io')`);
    await db.query(`insert into external_mappings (entity_type, internal_id, external_system, external_object_type, external_id, last_synced_hash) values
                    ('customer', 1, 'stripe', 'customer', 'cus_ada', 'h1'), ('customer', 1, 'salesforce', 'Account', '001A', null),
                    ('customer', 2, 'stripe', 'customer', 'cus_removed', null), ('invoice', 2, 'stripe', 'invoice', 'in_2', null)`);

    expect((await orm.getMigrator().up({ to: fix })).map((m) => m.name)).toEqual([fix]);

    expect(await keyDef()).toBe('UNIQUE (internal_id, entity_type, external_system, external_object_type)');
    expect(await rows('select entity_type, internal_id, external_system, external_id, last_synced_hash from external_mappings order by id')).toEqual([
      { entity_type: 'customer', internal_id: 1, external_system: 'stripe', external_id: 'cus_ada', last_synced_hash: 'h1' },
      { entity_type: 'customer', internal_id: 1, external_system: 'salesforce', external_id: '001A', last_synced_hash: null },
      { entity_type: 'customer', internal_id: 2, external_system: 'stripe', external_id: 'cus_removed', last_synced_hash: null },
      { entity_type: 'invoice', internal_id: 2, external_system: 'stripe', external_id: 'in_2', last_synced_hash: null },
    ]);
    await expect(db.query(`insert into external_mappings (entity_type, internal_id, external_system, external_object_type, external_id) values ('customer', 1, 'stripe', 'customer', 'cus_other')`)).rejects.toMatchObject({ code: '23505' });
    await db.query('delete from customers where id = 2');
    expect(await rows(`select entity_type, external_id from external_mappings where internal_id = 2`)).toEqual([{ entity_type: 'invoice', external_id: 'in_2' }]);
  });

  it('runs again over a database that already has both (the edited 20261201 of development databases), and can be taken back', async () => {
    await orm.getMigrator().down({ to: fix });
    await db.query(`alter table external_mappings drop constraint external_mappings_internal_uq`);
    await db.query(`alter table external_mappings add constraint external_mappings_internal_uq unique (internal_id, entity_type, external_system, external_object_type)`);
    await db.query(`create function external_mappings_forget_customer() returns trigger language plpgsql as $$ begin return old; end $$`);
    await db.query(`create trigger customers_forget_mappings after delete on customers for each row execute function external_mappings_forget_customer()`);
    expect((await orm.getMigrator().up({ to: fix })).map((m) => m.name)).toEqual([fix]);
    expect(await keyDef()).toBe('UNIQUE (internal_id, entity_type, external_system, external_object_type)');
    expect(await trigger()).toBe(1);
    await orm.getMigrator().down({ to: fix });
    expect(await trigger()).toBe(0);
    await orm.getMigrator().up();
  });
});

describe('upgrading an unpartitioned sync_events to monthly partitions', () => {
  const partitioning = 'Migration20261206000000_bounded_sync_data';
  // Every column as stored, whatever columns the table has: the upgrade must keep each row exactly.
  const allRows = () => rows(`select to_jsonb(e) - 'added_elsewhere' as row, e.added_elsewhere, tableoid::regclass::text as part from sync_events e order by id`);
  const kind = async () => (await rows(`select relkind from pg_class where relname = 'sync_events'`))[0]?.relkind;
  const keyDef = async (name: string) => (await rows(`select pg_get_constraintdef(oid) as def from pg_constraint where conname = '${name}'`))[0]?.def;
  const month = (offset: number) => {
    const d = new Date();
    return `${new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1)).toISOString().slice(0, 7).replace('-', '_')}`;
  };

  it('keeps every row, with a column another migration added, each in the partition of its month (older than a year, or ahead of the ones made: DEFAULT)', async () => {
    await db.query('truncate sync_events restart identity');
    await orm.getMigrator().down({ to: partitioning });
    expect(await kind()).toBe('r');
    // A nullable column this migration does not know of, as `actor` was to it (another branch added that one).
    await db.query(`alter table sync_events add column added_elsewhere varchar(100)`);
    await db.query(`
      insert into sync_events (event_id, event_type, entity_type, entity_id, external_system, status, payload, error_message, retry_count, created_at, processed_at, direction, trace_id, added_elsewhere)
      select gen_random_uuid(), 'customer.updated', case when g % 5 = 0 then 'invoice' else 'customer' end, g, 'stripe',
             (array['success', 'failed', 'parked', 'skipped'])[1 + g % 4], jsonb_build_object('n', g), case when g % 4 = 1 then 'boom' end, g % 3,
             now() - make_interval(days => g * 20), now() - make_interval(days => g * 20) + interval '1 second', 'outbound', 'trace-' || g,
             case when g % 2 = 0 then 'key-' || g end
        from generate_series(0, 20) g`);
    await db.query(`insert into sync_events (event_id, event_type, entity_type, entity_id, status, created_at) values (gen_random_uuid(), 'future', 'customer', 99, 'pending', now() + interval '1 year')`);
    const before = await allRows();

    expect((await orm.getMigrator().up({ to: partitioning })).map((m) => m.name)).toEqual([partitioning]);

    expect(await kind()).toBe('p');
    const after = await allRows();
    expect(after.map(({ row, added_elsewhere }) => ({ row, added_elsewhere }))).toEqual(before.map(({ row, added_elsewhere }) => ({ row, added_elsewhere })));
    expect(after.filter((r) => r.added_elsewhere !== null)).toHaveLength(11);
    // Its month's partition, from a year back to two months ahead; DEFAULT outside that.
    expect(
      await rows(`
        select count(*)::int as n from sync_events e
         where tableoid::regclass::text <> case
                 when created_at < (date_trunc('month', now() at time zone 'UTC') - interval '12 months') at time zone 'UTC'
                   or created_at >= (date_trunc('month', now() at time zone 'UTC') + interval '3 months') at time zone 'UTC' then 'sync_events_default'
                 else 'sync_events_' || to_char(created_at at time zone 'UTC', 'YYYY_MM') end`),
    ).toEqual([{ n: 0 }]);
    expect((await rows(`select count(distinct tableoid)::int as n from sync_events`))[0]?.n).toBeGreaterThanOrEqual(12);
    // This month and the next two exist, so today's inserts never reach DEFAULT; the ids go on from the sequence.
    const parts = (await rows(`select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'sync_events'::regclass`)).map((r) => r.relname);
    expect(parts).toEqual(expect.arrayContaining([month(0), month(1), month(2)].map((m) => `sync_events_${m}`).concat('sync_events_default')));
    const [made] = await rows(`insert into sync_events (event_id, event_type, entity_type, entity_id) values (gen_random_uuid(), 'x', 'customer', 1) returning id, tableoid::regclass::text as part`);
    expect(made).toEqual({ id: 23, part: `sync_events_${month(0)}` });

    // Keys hold the partition key; an id is still refused twice at one time, and an event id too.
    expect(await keyDef('sync_events_pkey')).toBe('PRIMARY KEY (id, created_at)');
    expect(await keyDef('sync_events_event_id_key')).toBe('UNIQUE (event_id, created_at)');
    await expect(db.query(`insert into sync_events (id, event_id, event_type, entity_type, entity_id, created_at) select id, gen_random_uuid(), 'x', 'customer', 1, created_at from sync_events where id = 5`)).rejects.toMatchObject({ code: '23505' });
    await expect(db.query(`insert into sync_events (event_id, event_type, entity_type, entity_id, created_at) select event_id, 'x', 'customer', 1, created_at from sync_events where id = 5`)).rejects.toMatchObject({ code: '23505' });
    // A row of any time goes in: a month without a partition lands in DEFAULT.
    const [far] = await rows(`insert into sync_events (event_id, event_type, entity_type, entity_id, created_at) values (gen_random_uuid(), 'x', 'customer', 1, '2099-01-01Z') returning tableoid::regclass::text as part`);
    expect(far).toEqual({ part: 'sync_events_default' });
    // The dedupe keys past their window are found by time; the console counts links per system on an index.
    expect(await rows(`select indexdef from pg_indexes where indexname in ('processed_events_processed_at_idx', 'external_mappings_system_idx') order by 1`)).toEqual([
      { indexdef: 'CREATE INDEX external_mappings_system_idx ON public.external_mappings USING btree (external_system)' },
      { indexdef: 'CREATE INDEX processed_events_processed_at_idx ON public.processed_events USING btree (processed_at)' },
    ]);
  });

  it('can be taken back to one table, keeping every row and the old keys', async () => {
    const before = await allRows();
    await orm.getMigrator().down({ to: partitioning });
    expect(await kind()).toBe('r');
    expect((await allRows()).map(({ row, added_elsewhere }) => ({ row, added_elsewhere }))).toEqual(before.map(({ row, added_elsewhere }) => ({ row, added_elsewhere })));
    expect(await keyDef('sync_events_pkey')).toBe('PRIMARY KEY (id)');
    expect(await keyDef('sync_events_event_id_key')).toBe('UNIQUE (event_id)');
    expect(await rows(`select count(*)::int as n from pg_proc where proname = 'sync_events_add_partition'`)).toEqual([{ n: 0 }]);
    const [made] = await rows(`insert into sync_events (event_id, event_type, entity_type, entity_id) values (gen_random_uuid(), 'x', 'customer', 1) returning id`);
    expect(made).toEqual({ id: 26 }); // 24 went to the refused duplicate event id, 25 to the far one
    await db.query(`alter table sync_events drop column added_elsewhere`);
    await orm.getMigrator().up();
    expect(await kind()).toBe('p');
  });
});

describe('upgrading a database with sync events to one that records who made each change', () => {
  const actors = 'Migration20261205000000_sync_event_actor';
  const actorColumn = async () =>
    (await rows(`select data_type, character_maximum_length, is_nullable from information_schema.columns where table_name = 'sync_events' and column_name = 'actor'`))[0];

  it('adds a nullable actor, keeping every row as it was (nobody known), and can be taken back without losing one', async () => {
    await db.query('truncate sync_events restart identity');
    await orm.getMigrator().down({ to: actors });
    expect(await actorColumn()).toBeUndefined();
    await db.query(`insert into sync_events (event_id, event_type, entity_type, entity_id, external_system, status, payload, error_message, retry_count, processed_at, direction, trace_id) values
                    ('00000000-0000-4000-8000-000000000001', 'customer.created', 'customer', 1, 'stripe', 'success', '{"action":"create","origin":"internal"}', null, 0, now(), 'outbound', 'trace-1'),
                    ('00000000-0000-4000-8000-000000000002', 'customer.updated', 'customer', 1, 'stripe', 'failed', '{"event_id":"evt_1"}', 'boom', 2, now(), 'inbound', null),
                    ('00000000-0000-4000-8000-000000000003', 'invoice.finalized', 'invoice', 4, 'salesforce', 'pending', null, null, 0, null, 'outbound', 'trace-3')`);
    const before = await rows('select * from sync_events order by id');

    expect((await orm.getMigrator().up({ to: actors })).map((m) => m.name)).toEqual([actors]);

    expect(await actorColumn()).toEqual({ data_type: 'character varying', character_maximum_length: 50, is_nullable: 'YES' });
    expect(await rows('select * from sync_events order by id')).toEqual(before.map((r) => ({ ...r, actor: null })));
    await db.query(`insert into sync_events (event_id, event_type, entity_type, entity_id, status, actor) values (gen_random_uuid(), 'customer.created', 'customer', 2, 'pending', 'ci-bot')`);
    expect(await rows(`select entity_id, actor from sync_events where actor is not null`)).toEqual([{ entity_id: 2, actor: 'ci-bot' }]);

    await orm.getMigrator().down({ to: actors });
    expect(await actorColumn()).toBeUndefined();
    expect(await rows('select count(*)::int as n from sync_events')).toEqual([{ n: 4 }]);
    await orm.getMigrator().up();
    expect(await actorColumn()).toMatchObject({ is_nullable: 'YES' });
  });
});

describe('upgrading a database with invoices waiting for their customer to the wake-up trigger', () => {
  const waits = 'Migration20261207000000_invoice_waits';
  const waitingInvoice = async (email: string) => {
    const [c] = await rows(`insert into customers (name, email) values ('Ada', '${email}') returning id`);
    const [i] = await rows(`insert into invoices (customer_id, currency, collection_method, amount_due, amount_remaining) values (${c!.id}, 'eur', 'charge_automatically', 100, 100) returning id`);
    await db.query(
      `insert into sync_events (event_id, event_type, entity_type, entity_id, external_system, status, payload, direction)
       values (gen_random_uuid(), 'invoice.created', 'invoice', $1, 'stripe', 'skipped', '{"action":"none","reason":"customer not in stripe yet"}', 'outbound')`,
      [i!.id],
    );
    return { customerId: c!.id as number, invoiceId: i!.id as number };
  };
  const link = (customerId: number, externalId: string) =>
    db.query(`insert into external_mappings (entity_type, internal_id, external_system, external_object_type, external_id) values ('customer', $1, 'stripe', 'customer', $2)`, [customerId, externalId]);
  const wakeUps = () => rows(`select aggregate_id, envelope->>'idempotency_key' as key, envelope->>'target_system' as target from outbox where entity_type = 'invoice' order by id`);

  it('keeps every row, and wakes an invoice that waited before the upgrade once its customer is mapped', async () => {
    await db.query('truncate customers, invoices, external_mappings, outbox, sync_events restart identity cascade');
    await orm.getMigrator().down({ to: waits });
    const before = await waitingInvoice('ada@x.io');
    await db.query(`insert into outbox (entity_type, aggregate_id, event_type, origin, envelope) values ('invoice', $1, 'invoice.created', 'internal', '{"type":"invoice.created"}')`, [before.invoiceId]);

    expect((await orm.getMigrator().up({ to: waits })).map((m) => m.name)).toEqual([waits]);
    expect(await rows(`select entity_type, event_type from sync_events`)).toEqual([{ entity_type: 'invoice', event_type: 'invoice.created' }]);
    expect(await wakeUps()).toEqual([{ aggregate_id: before.invoiceId, key: null, target: null }]);
    await link(before.customerId, 'cus_ada');
    expect(await wakeUps()).toEqual([
      { aggregate_id: before.invoiceId, key: null, target: null },
      { aggregate_id: before.invoiceId, key: `invoice:${before.invoiceId}:v1:customer-linked:stripe`, target: 'stripe' },
    ]);
  });

  it('can be taken back: a mapping then wakes nothing', async () => {
    await orm.getMigrator().down({ to: waits });
    expect(await rows(`select count(*)::int as n from pg_trigger where tgname = 'external_mappings_wake_invoices'`)).toEqual([{ n: 0 }]);
    const later = await waitingInvoice('bob@x.io');
    const before = (await wakeUps()).length;
    await link(later.customerId, 'cus_bob');
    expect(await wakeUps()).toHaveLength(before);
    await orm.getMigrator().up();
  });
});

describe('upgrading a database with sync events to one that records when each change was made at its source', () => {
  const sourceAt = 'Migration20261209000000_sync_event_source_at';
  const column = async () => (await rows(`select data_type, is_nullable from information_schema.columns where table_name = 'sync_events' and column_name = 'source_at'`))[0];

  it('adds a nullable source_at, keeping every row as it was (no time-to-sync known), and can be taken back without losing one', async () => {
    await db.query('truncate sync_events restart identity');
    await orm.getMigrator().down({ to: sourceAt });
    expect(await column()).toBeUndefined();
    await db.query(`insert into sync_events (event_id, event_type, entity_type, entity_id, external_system, status, payload, retry_count, processed_at, direction, actor) values
                    ('00000000-0000-4000-8000-000000000011', 'customer.created', 'customer', 1, 'stripe', 'success', '{"action":"create"}', 0, now(), 'outbound', 'ci-bot'),
                    ('00000000-0000-4000-8000-000000000012', 'customer.updated', 'customer', 1, 'salesforce', 'failed', '{"code":"server_error"}', 2, now(), 'inbound', 'salesforce')`);
    const before = await rows('select * from sync_events order by id');

    expect((await orm.getMigrator().up({ to: sourceAt })).map((m) => m.name)).toEqual([sourceAt]);

    expect(await column()).toEqual({ data_type: 'timestamp with time zone', is_nullable: 'YES' });
    expect(await rows('select * from sync_events order by id')).toEqual(before.map((r) => ({ ...r, source_at: null })));
    await db.query(`insert into sync_events (event_id, event_type, entity_type, entity_id, status, source_at) values (gen_random_uuid(), 'customer.created', 'customer', 2, 'pending', '2026-12-01T10:00:00Z')`);
    expect(await rows(`select entity_id, source_at from sync_events where source_at is not null`)).toEqual([{ entity_id: 2, source_at: new Date('2026-12-01T10:00:00Z') }]);

    await orm.getMigrator().down({ to: sourceAt });
    expect(await column()).toBeUndefined();
    expect(await rows('select count(*)::int as n from sync_events')).toEqual([{ n: 3 }]);
    await orm.getMigrator().up();
    expect(await column()).toMatchObject({ is_nullable: 'YES' });
  });
});

describe('upgrading a database with customers, mappings and sync events to one that keeps counts and analytics rollups', () => {
  const rollups = 'Migration20261210000000_sync_rollups';
  const outcomes = `select external_system, entity_type, direction, status, count(*)::int as n from sync_events where status <> 'pending' group by 1, 2, 3, 4 order by 1, 2, 3, 4`;

  it('counts what is there (customers, mappings per system, every sync event by minute), keeps counting, and can be taken back', async () => {
    await db.query('truncate sync_events, external_mappings, customers restart identity cascade');
    await orm.getMigrator().down({ to: rollups });
    expect(await rows(`select to_regclass('sync_event_rollups') as t`)).toEqual([{ t: null }]);
    await db.query(`insert into customers (name, email) select 'C' || g, 'c' || g || '@x.io' from generate_series(1, 30) g`);
    await db.query(`update customers set deleted_at = now() where id > 25`);
    await db.query(`insert into external_mappings (entity_type, internal_id, external_system, external_object_type, external_id)
                    select 'customer', g, case when g <= 20 then 'stripe' else 'salesforce' end, 'customer', 'x' || g from generate_series(1, 28) g`);
    // Two days of attempts, a minute apart, of every outcome, some with a time-to-sync.
    await db.query(`insert into sync_events (event_id, event_type, entity_type, entity_id, external_system, status, payload, created_at, processed_at, direction, source_at)
                    select gen_random_uuid(), 'customer.updated', case when g % 7 = 0 then 'invoice' else 'customer' end, g % 30 + 1,
                           case when g % 3 = 0 then 'salesforce' else 'stripe' end,
                           (array['success', 'success', 'skipped', 'failed', 'pending', 'conflict'])[1 + g % 6],
                           case when g % 6 = 3 then '{"code":"server_error"}' else '{}' end::jsonb,
                           t, t, case when g % 2 = 0 then 'inbound' else 'outbound' end, t - make_interval(secs => (g % 50) / 10.0)
                      from generate_series(1, 2880) g, lateral (select '2026-11-20T00:00:00Z'::timestamptz + make_interval(mins => g) as t) at`);
    const before = await rows(outcomes);

    expect((await orm.getMigrator().up({ to: rollups })).map((m) => m.name)).toEqual([rollups]);

    const counted = async () => Object.fromEntries(await rowCounts(orm.em.fork()));
    expect(await counted()).toEqual({ 'customers:live': 25, 'external_mappings:stripe': 20, 'external_mappings:salesforce': 8 });
    const window = { from: new Date('2026-11-19T00:00:00Z'), to: new Date('2026-11-23T00:00:00Z'), bucketSeconds: 86_400 };
    const unfolded = await syncAnalytics(orm.em.fork(), window);
    expect(unfolded.totals.syncs).toBe(before.reduce((n, r) => n + (r.n as number), 0));
    const folded = await compactRollups(orm.em.fork());
    expect(folded?.rollupDeltas).toBeGreaterThan(0);
    expect(await syncAnalytics(orm.em.fork(), window)).toEqual(unfolded);
    // The two days (and the first minute of a third) as their day rows: a series per system × catalog × direction.
    expect(await rows(`select count(distinct start)::int as days from sync_event_rollups where width = 86400`)).toEqual([{ days: 3 }]);

    // Writes after the upgrade are counted as they commit.
    await db.query(`insert into customers (name, email) values ('New', 'new@x.io')`);
    await db.query(`delete from external_mappings where internal_id = 28`);
    expect(await counted()).toEqual({ 'customers:live': 26, 'external_mappings:stripe': 20, 'external_mappings:salesforce': 7 });

    await orm.getMigrator().down({ to: rollups });
    expect(await rows(`select to_regclass('row_counts') as t`)).toEqual([{ t: null }]);
    expect(await rows(outcomes)).toEqual(before);
    await orm.getMigrator().up();
    expect(await counted()).toEqual({ 'customers:live': 26, 'external_mappings:stripe': 20, 'external_mappings:salesforce': 7 });
  });
});

describe('upgrading a database with pending outbox rows to the trigger that notifies only a sleeping relay', () => {
  const quiet = 'Migration20261211000000_outbox_quiet_notify';
  const POLLING = 741852964;
  const insertRow = (n: number) =>
    db.query(`insert into outbox (entity_type, aggregate_id, event_type, origin, envelope) values ('customer', $1, 'customer.created', 'internal', '{"type":"customer.created"}')`, [n]);

  /** Inserts a row while another session holds the relay's polling lock, then one without: the notifications that came. */
  const notificationsAroundPolling = async () => {
    const listener = new Client({ connectionString: scratch.url });
    const relay = new Client({ connectionString: scratch.url });
    await Promise.all([listener.connect(), relay.connect()]);
    try {
      const heard: number[] = [];
      listener.on('notification', () => heard.push(Date.now()));
      await listener.query('listen outbox');
      await relay.query('select pg_advisory_lock($1)', [POLLING]);
      await insertRow(1);
      await relay.query('select pg_advisory_unlock($1)', [POLLING]);
      await insertRow(2);
      // Notifications arrive in commit order: once the second is heard, the first would have been too.
      for (const end = Date.now() + 10_000; heard.length === 0 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
      await listener.query('select 1'); // anything still in flight arrives before this answer
      return heard.length;
    } finally {
      await Promise.all([listener.end(), relay.end()]);
    }
  };

  it('keeps every pending row, and skips the NOTIFY only while a relay holds the polling lock', async () => {
    await db.query('truncate outbox restart identity');
    await orm.getMigrator().down({ to: quiet });
    await db.query(`insert into outbox (aggregate_id, event_type, origin, envelope, published_at) values (7, 'customer.created', 'internal', '{"type":"customer.created"}', null), (8, 'customer.updated', 'internal', '{"type":"customer.updated"}', now())`);
    const before = await rows('select * from outbox order by id');
    expect(await notificationsAroundPolling()).toBe(2);

    expect((await orm.getMigrator().up({ to: quiet })).map((m) => m.name)).toEqual([quiet]);
    expect(await rows('select * from outbox where id <= 2 order by id')).toEqual(before.slice(0, 2));
    expect(await notificationsAroundPolling()).toBe(1);
  });

  it('can be taken back: every insert notifies again', async () => {
    await orm.getMigrator().down({ to: quiet });
    expect(await notificationsAroundPolling()).toBe(2);
    await orm.getMigrator().up();
    expect(await notificationsAroundPolling()).toBe(1);
  });
});

describe('upgrading a database with customers and mappings to pages with room for updates in place', () => {
  const hot = 'Migration20261212000000_hot_mapping_updates';
  const options = async () => Object.fromEntries((await rows(`select relname, coalesce(array_to_string(reloptions, ','), '') as o from pg_class where relname in ('customers', 'external_mappings')`)).map((r) => [r.relname, r.o]));
  /** Moves every mapping forward the way an applied change does, in one transaction: how many of those updates stayed on their page. */
  const hotMappingUpdates = async () => {
    await db.query('begin');
    try {
      await db.query(`update external_mappings set last_synced_at = now(), last_source_ts = coalesce(last_source_ts, 0) + 1, last_synced_hash = md5(random()::text)`);
      return Number((await rows(`select pg_stat_get_xact_tuples_hot_updated('external_mappings'::regclass) as n`))[0]!.n);
    } finally {
      await db.query('commit');
    }
  };

  /** 400 mappings written afresh, on pages filled under the table's current setting. */
  const freshMappings = async () => {
    await db.query('truncate external_mappings restart identity');
    await db.query(`insert into external_mappings (internal_id, external_system, external_id) select g, 'stripe', 'cus_' || g from generate_series(1, 400) g`);
  };

  it('keeps every customer and mapping; mappings written afterwards are moved forward in place far more often', async () => {
    await orm.getMigrator().down({ to: hot });
    await db.query('truncate customers, external_mappings restart identity cascade');
    await db.query(`insert into customers (name, email) select 'C ' || g, 'c' || g || '@x.io' from generate_series(1, 400) g`);
    await freshMappings();
    const hotBefore = await hotMappingUpdates();
    await freshMappings();
    const before = await rows('select * from external_mappings order by id');

    expect((await orm.getMigrator().up({ to: hot })).map((m) => m.name)).toEqual([hot]);
    expect(await rows('select * from external_mappings order by id')).toEqual(before);
    expect((await rows(`select count(*)::int as n from customers`))[0]!.n).toBe(400);
    expect(await options()).toEqual({ customers: 'fillfactor=90', external_mappings: 'fillfactor=80' });
    expect(await rows(`select indexname from pg_indexes where indexname = 'external_mappings_system_idx'`)).toEqual([]);

    // Full pages leave an update nowhere to go but another page; a fifth kept free takes the
    // first updates of each page in place (every row at once here, so the room runs out: later
    // updates, once pruning has freed the old versions, find it again).
    await freshMappings();
    const hotAfter = await hotMappingUpdates();
    expect(hotAfter).toBeGreaterThan(hotBefore + 40);
    // A lookup by system alone still finds an index: the unique key leads with the system.
    await db.query('analyze external_mappings');
    await db.query('set enable_seqscan = off');
    const plan = (await rows(`explain select count(*) from external_mappings where external_system = 'stripe'`)).map((r) => r['QUERY PLAN']).join('\n');
    await db.query('reset enable_seqscan');
    expect(plan).toContain('external_mappings_external_uq');
  });

  it('can be taken back: full pages and the index by system again', async () => {
    await orm.getMigrator().down({ to: hot });
    expect(await options()).toEqual({ customers: '', external_mappings: '' });
    expect(await rows(`select indexname from pg_indexes where indexname = 'external_mappings_system_idx'`)).toEqual([{ indexname: 'external_mappings_system_idx' }]);
    await orm.getMigrator().up();
  });
});
