import request from 'supertest';
import { topics } from '@cs/kafka-schemas';
import { query, resetDatabase } from '../../../test/support/db';
import { testApp } from './test-app';

let ctx: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  ctx = await testApp();
});
afterAll(() => ctx.close());
beforeEach(() => resetDatabase());

const api = () => request(ctx.app);
const names = topics(process.env.KAFKA_TOPIC_PREFIX);
const create = async (name: string, email: string) => (await api().post('/api/v1/customers').send({ name, email })).body as { id: number };
const map = (id: number, system: string, externalId: string) =>
  query(`insert into external_mappings (internal_id, external_system, external_id, last_synced_at) values ($1, $2, $3, now())`, [id, system, externalId]);
const event = (id: number, system: string | null, status: string, error: string | null = null, type = 'customer.created', at?: string) =>
  query(
    `insert into sync_events (event_id, event_type, entity_type, entity_id, external_system, status, error_message, direction, created_at)
     values (gen_random_uuid(), $1, 'customer', $2, $3, $4, $5, 'outbound', coalesce($6::timestamptz, now()))`,
    [type, id, system, status, error, at ?? null],
  );
const park = async (topic: string, key: string, status = 'parked', system: string | null = 'stripe') =>
  (
    await query<{ id: number }>(
      `insert into dead_letters (source_topic, message_key, external_system, reason, error_code, attempts, envelope, status)
       values ($1, $2, $3, 'Invalid email address', 'email_invalid', 1, '{"type":"customer.created"}', $4) returning id`,
      [topic, key, system, status],
    )
  )[0]!.id;

describe('GET /api/v1/customers/{id}/sync', () => {
  it('shows each system: mapping, last sync, the latest attempt with its error, and the parked messages about the customer', async () => {
    const c = await create('Ada', 'ada@x.io');
    const other = await create('Bob', 'bob@x.io');
    await map(c.id, 'stripe', 'cus_ada');
    await event(c.id, 'stripe', 'failed', 'Stripe is down', 'customer.created', '2026-01-01T10:00:00Z');
    await event(c.id, 'stripe', 'success', null, 'customer.updated', '2026-01-01T10:00:00Z'); // same time: the later row wins
    await event(c.id, 'salesforce', 'parked', 'INVALID_EMAIL');
    await event(c.id, null, 'skipped'); // not about a system: not listed
    await event(other.id, 'stripe', 'failed', 'not mine');
    const outbound = await park(names.customerEvents, String(c.id));
    const inbound = await park(names.syncInbound, 'cus_ada', 'parked', null);
    await park(names.customerEvents, String(c.id), 'replayed'); // resolved: not shown
    await park(names.customerEvents, String(other.id)); // another customer's
    await park(names.syncInbound, String(c.id), 'parked', null); // inbound keys are external ids: "1" is not ours

    const res = await api().get(`/api/v1/customers/${c.id}/sync`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      customer_id: c.id,
      deleted: false,
      deleted_at: null,
      systems: [
        {
          system: 'salesforce',
          mapping: null,
          last_synced_at: null,
          last_status: 'parked',
          last_error: 'INVALID_EMAIL',
          last_event_at: expect.any(String),
          last_event_type: 'customer.created',
          last_direction: 'outbound',
        },
        {
          system: 'stripe',
          mapping: { external_id: 'cus_ada', created_at: expect.any(String) },
          last_synced_at: expect.any(String),
          last_status: 'success',
          last_error: null,
          last_event_at: '2026-01-01T10:00:00.000Z',
          last_event_type: 'customer.updated',
          last_direction: 'outbound',
        },
      ],
      dead_letters: [
        expect.objectContaining({ id: inbound, source_topic: names.syncInbound, message_key: 'cus_ada', reason: 'Invalid email address', error_code: 'email_invalid' }),
        expect.objectContaining({ id: outbound, source_topic: names.customerEvents, message_key: String(c.id), external_system: 'stripe', attempts: 1 }),
      ],
    });
  });

  it('lists the configured systems even before anything happened', async () => {
    const c = await create('New', 'new@x.io');
    const res = await api().get(`/api/v1/customers/${c.id}/sync`);
    expect(res.body.systems).toEqual([
      { system: 'stripe', mapping: null, last_synced_at: null, last_status: null, last_error: null, last_event_at: null, last_event_type: null, last_direction: null },
    ]);
    expect(res.body.dead_letters).toEqual([]);
  });

  it('still answers for a deleted customer (its deletion is synced too), and 404 for one that never existed', async () => {
    const c = await create('Gone', 'gone@x.io');
    await event(c.id, 'stripe', 'success', null, 'customer.deleted');
    expect((await api().delete(`/api/v1/customers/${c.id}`)).status).toBe(204);
    const res = await api().get(`/api/v1/customers/${c.id}/sync`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ customer_id: c.id, deleted: true, deleted_at: expect.any(String), systems: [{ system: 'stripe', last_event_type: 'customer.deleted' }] });

    const missing = await api().get('/api/v1/customers/999/sync');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('customer_not_found');
    expect((await api().get('/api/v1/customers/abc/sync')).status).toBe(422);
  });
});

describe('GET /api/v1/sync/customers', () => {
  it('pages live customers newest first, each with its per-system state', async () => {
    const a = await create('A', 'a@x.io');
    const b = await create('B', 'b@x.io');
    const gone = await create('C', 'c@x.io');
    await api().delete(`/api/v1/customers/${gone.id}`);
    await map(a.id, 'stripe', 'cus_a');
    await event(a.id, 'stripe', 'success');
    await event(b.id, 'stripe', 'parked', 'Invalid email address: b@x.io');

    const page1 = await api().get('/api/v1/sync/customers').query({ limit: 1 });
    expect(page1.status).toBe(200);
    expect(page1.body.has_more).toBe(true);
    expect(page1.body.data).toEqual([
      {
        id: b.id,
        name: 'B',
        email: 'b@x.io',
        version: 1,
        updated_at: expect.any(String),
        systems: [expect.objectContaining({ system: 'stripe', mapping: null, last_status: 'parked', last_error: 'Invalid email address: b@x.io' })],
      },
    ]);
    const page2 = await api().get('/api/v1/sync/customers').query({ limit: 1, skip: 1 });
    expect(page2.body.has_more).toBe(false);
    expect(page2.body.data[0]).toMatchObject({ id: a.id, systems: [{ system: 'stripe', mapping: { external_id: 'cus_a' }, last_status: 'success' }] });
    expect((await api().get('/api/v1/sync/customers').query({ limit: 201 })).status).toBe(422);
  });
});

describe('GET /api/v1/sync/invoices', () => {
  it('pages live invoices newest first, with what Stripe told us and each one\'s per-system state', async () => {
    const c = await create('A', 'a@x.io');
    const invoice = async () =>
      (await api().post('/api/v1/invoices').send({ customer_id: c.id, currency: 'EUR', lines: [{ description: 'Seats', quantity: 3, unit_amount: 1250 }] })).body as { id: number };
    const paid = await invoice();
    const waiting = await invoice();
    const deleted = await invoice();
    await api().delete(`/api/v1/invoices/${deleted.id}`);
    // As the inbound sync leaves an invoice paid in Stripe.
    await query(
      `update invoices set status = 'paid', number = 'ABCD-0001', amount_paid = amount_due, amount_remaining = 0, paid_at = now(), hosted_invoice_url = 'https://invoice.stripe.test/i/1' where id = $1`,
      [paid.id],
    );
    await query(`insert into external_mappings (entity_type, internal_id, external_system, external_object_type, external_id) values ('invoice', $1, 'stripe', 'invoice', 'in_paid')`, [paid.id]);
    await query(
      `insert into sync_events (event_id, event_type, entity_type, entity_id, external_system, status, payload, direction) values (gen_random_uuid(), 'invoice.created', 'invoice', $1, 'stripe', 'skipped', '{"reason":"customer not in stripe yet"}', 'outbound')`,
      [waiting.id],
    );

    const page = await api().get('/api/v1/sync/invoices').query({ limit: 1 });
    expect(page.status).toBe(200);
    expect(page.body).toEqual({
      data: [
        {
          id: waiting.id,
          customer_id: c.id,
          status: 'draft',
          currency: 'eur',
          number: null,
          amount_due: 3750,
          amount_paid: 0,
          amount_remaining: 3750,
          hosted_invoice_url: null,
          version: 1,
          updated_at: expect.any(String),
          systems: [expect.objectContaining({ system: 'stripe', mapping: null, last_status: 'skipped' })],
        },
      ],
      has_more: true,
    });
    const next = await api().get('/api/v1/sync/invoices').query({ limit: 1, skip: 1 });
    expect(next.body).toMatchObject({
      has_more: false,
      data: [{ id: paid.id, status: 'paid', number: 'ABCD-0001', amount_paid: 3750, amount_remaining: 0, hosted_invoice_url: 'https://invoice.stripe.test/i/1', systems: [{ system: 'stripe', mapping: { external_id: 'in_paid' } }] }],
    });
    expect((await api().get('/api/v1/sync/invoices').query({ limit: 0 })).status).toBe(422);
  });
});

describe('GET /api/v1/sync/summary', () => {
  it('counts live customers, mappings per system, recent events per status, parked messages, the outbox backlog and the last drift', async () => {
    const a = await create('A', 'a@x.io');
    const b = await create('B', 'b@x.io');
    const gone = await create('C', 'c@x.io');
    await api().delete(`/api/v1/customers/${gone.id}`);
    await map(a.id, 'stripe', 'cus_a');
    await map(b.id, 'stripe', 'cus_b');
    await map(b.id, 'salesforce', 'sf_b');
    await event(a.id, 'stripe', 'success');
    await event(b.id, 'stripe', 'success');
    await event(b.id, 'stripe', 'failed');
    await query(`insert into sync_events (event_id, event_type, entity_type, entity_id, status, created_at) values (gen_random_uuid(), 'x', 'customer', 1, 'failed', now() - interval '2 hours')`);
    await park(names.customerEvents, '1');
    await park(names.customerEvents, '2');
    await park(names.customerEvents, '3', 'discarded');
    // 4 outbox rows (3 creates, 1 delete), none published: the relay does not run here.
    await query(`update outbox set created_at = now() - interval '120 seconds' where id = (select min(id) from outbox)`);
    await query(`update outbox set published_at = now() where id = (select max(id) from outbox)`);
    await query(`insert into sync_cursors (name, value) values ('reconcile:stripe:last_report', $1::jsonb)`, [
      JSON.stringify({ system: 'stripe', finished_at: '2026-01-01T10:00:00.000Z', drift_count: 3 }),
    ]);
    await query(`insert into sync_cursors (name, value) values ('reconcile:stripe:invoice:last_report', $1::jsonb)`, [
      JSON.stringify({ system: 'stripe', catalog: 'invoice', finished_at: '2026-01-01T11:00:00.000Z', drift_count: 2 }),
    ]);

    const res = await api().get('/api/v1/sync/summary');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      customers: 2,
      mapped: { stripe: 2, salesforce: 1 },
      sync_events_last_hour: { success: 2, failed: 1 },
      dead_letters_parked: 2,
      outbox: { backlog: 3, oldest_age_seconds: expect.any(Number) },
      // The customers' alone, as before invoices were reconciled; every catalog's beside it.
      last_reconcile: { system: 'stripe', finished_at: '2026-01-01T10:00:00.000Z', drift_count: 3 },
      last_reconcile_by_catalog: {
        customer: { system: 'stripe', finished_at: '2026-01-01T10:00:00.000Z', drift_count: 3 },
        invoice: { system: 'stripe', finished_at: '2026-01-01T11:00:00.000Z', drift_count: 2 },
      },
      generated_at: expect.any(String),
    });
    expect(res.body.outbox.oldest_age_seconds).toBeGreaterThanOrEqual(119);
    expect(res.body.outbox.oldest_age_seconds).toBeLessThan(180);
  });

  it('answers on an empty database', async () => {
    const res = await api().get('/api/v1/sync/summary');
    expect(res.body).toMatchObject({ customers: 0, mapped: {}, sync_events_last_hour: {}, dead_letters_parked: 0, outbox: { backlog: 0, oldest_age_seconds: null }, last_reconcile: null });
    expect(res.body.last_reconcile_by_catalog).toEqual({ customer: null, invoice: null });
  });
});

describe('GET /api/v1/reconcile/last', () => {
  const report = (system: string, drift: number) => ({
    id: `r-${system}`,
    system,
    started_at: '2026-01-01T09:59:00.000Z',
    finished_at: '2026-01-01T10:00:00.000Z',
    internal_customers: 10,
    external_customers: 9,
    drift_count: drift,
    by_kind: { missing_in_external: drift, missing_internally: 0, unlinked_internal_id: 0, stale_mapping: 0, field_mismatch: 0 },
    drifts: [{ kind: 'missing_in_external', customer_id: 4, external_id: null, ours: { name: 'D', email: 'd@x.io' } }],
    repaired: false,
  });
  const store = (system: string, drift: number, at: string) =>
    query(`insert into sync_cursors (name, value, updated_at) values ($1, $2::jsonb, $3)`, [`reconcile:${system}:last_report`, JSON.stringify(report(system, drift)), at]);

  it('404 until a reconciliation has run', async () => {
    const res = await api().get('/api/v1/reconcile/last');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('reconcile_report_not_found');
  });

  it('returns the newest report, or the one of the system asked for', async () => {
    await store('stripe', 1, '2026-01-01T10:00:00Z');
    await store('salesforce', 5, '2026-01-01T09:00:00Z');
    await query(`insert into sync_cursors (name, value) values ('catchup:stripe', '{"cursor":"evt_1"}')`); // other cursors are not reports
    const newest = await api().get('/api/v1/reconcile/last');
    expect(newest.status).toBe(200);
    // A report stored before there were other catalogs names none: the answer says whose it is.
    expect(newest.body).toEqual({ ...report('stripe', 1), catalog: 'customer', stored_at: '2026-01-01T10:00:00.000Z' });
    expect((await api().get('/api/v1/reconcile/last').query({ system: 'salesforce' })).body.drift_count).toBe(5);
    expect((await api().get('/api/v1/reconcile/last').query({ system: 'hubspot' })).status).toBe(404);
    expect((await api().get('/api/v1/reconcile/last').query({ system: 'NOT A NAME' })).status).toBe(422);
  });

  const invoiceReport = (system: string, drift: number) => ({
    id: `ri-${system}`,
    system,
    catalog: 'invoice',
    started_at: '2026-01-01T11:59:00.000Z',
    finished_at: '2026-01-01T12:00:00.000Z',
    internal_invoices: 3,
    external_invoices: 4,
    drift_count: drift,
    by_kind: { missing_in_external: 0, missing_internally: drift, unlinked_internal_id: 0, stale_mapping: 0, field_mismatch: 0 },
    drifts: [{ kind: 'missing_internally', invoice_id: null, external_id: 'in_1', theirs: { status: 'open', currency: 'eur', amount_due: 12000, amount_paid: 0, number: 'A-1' } }],
    repaired: false,
  });
  const storeInvoices = (system: string, drift: number, at: string) =>
    query(`insert into sync_cursors (name, value, updated_at) values ($1, $2::jsonb, $3)`, [`reconcile:${system}:invoice:last_report`, JSON.stringify(invoiceReport(system, drift)), at]);
  const last = (q: Record<string, string>) => api().get('/api/v1/reconcile/last').query(q);

  it('?catalog= picks the catalog; without it, the customers’ report as before, even when another catalog’s is newer', async () => {
    await store('stripe', 1, '2026-01-01T10:00:00Z');
    await storeInvoices('stripe', 2, '2026-01-01T12:00:00Z');
    await storeInvoices('salesforce', 7, '2026-01-01T08:00:00Z');

    const customers = { ...report('stripe', 1), catalog: 'customer', stored_at: '2026-01-01T10:00:00.000Z' };
    expect((await last({})).body).toEqual(customers);
    expect((await last({ catalog: 'customer' })).body).toEqual(customers);
    const invoices = await last({ catalog: 'invoice' });
    expect(invoices.status).toBe(200);
    expect(invoices.body).toEqual({ ...invoiceReport('stripe', 2), stored_at: '2026-01-01T12:00:00.000Z' });
    expect((await last({ catalog: 'invoice', system: 'salesforce' })).body).toMatchObject({ system: 'salesforce', catalog: 'invoice', drift_count: 7 });
  });

  it('404 while a catalog has no report (with that system), though another catalog has', async () => {
    await store('stripe', 1, '2026-01-01T10:00:00Z');
    const none = await last({ catalog: 'invoice' });
    expect(none.status).toBe(404);
    expect(none.body.error).toMatchObject({ code: 'reconcile_report_not_found', message: 'no invoice reconciliation report yet' });
    await storeInvoices('stripe', 0, '2026-01-01T12:00:00Z');
    expect((await last({ catalog: 'invoice', system: 'hubspot' })).body.error.message).toBe('no invoice reconciliation report for hubspot yet');
    expect((await last({ catalog: 'invoice', system: 'stripe' })).status).toBe(200);
  });

  it.each([
    [{ catalog: 'order' }, 'catalog: catalog must be one of ours: customer, invoice'],
    [{ catalog: 'Invoice' }, 'catalog: catalog must be a catalog name such as invoice'],
    [{ catalog: 'x'.repeat(51) }, 'catalog: catalog must be a catalog name'],
    [{ catalog: '' }, 'catalog: catalog must be a catalog name'],
    [{ catalog: 'invoice', extra: '1' }, 'extra'],
  ])('answers 422 in the error shape for %j', async (q, message) => {
    await storeInvoices('stripe', 2, '2026-01-01T12:00:00Z');
    const res = await last(q);
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', message: expect.stringContaining(message) });
  });
});

describe('GET /api/v1/sync/circuits', () => {
  const report = (system: string, instance: string, state: string, extra: Record<string, unknown> = {}) =>
    query(`insert into sync_cursors (name, value) values ($1, $2::jsonb)`, [
      `circuit:${system}:${instance}`,
      JSON.stringify({ system, service: instance.split('@')[0], instance, state, since: '2026-01-01T10:00:00.000Z', failures: 0, last_failure: null, next_probe_at: null, ...extra }),
    ]);

  it('shows every enabled system, unknown until a worker reports it', async () => {
    const res = await api().get('/api/v1/sync/circuits');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ systems: [{ system: 'stripe', state: 'unknown', reports: [] }], generated_at: expect.any(String) });
  });

  it('shows each live worker’s report and the worst state per system', async () => {
    await report('stripe', 'outbound-worker@a:1', 'open', { failures: 7, last_failure: 'api_error (503)', next_probe_at: '2026-01-01T10:00:05.000Z' });
    await report('stripe', 'inbound-worker@a:2', 'half-open', { failures: 3 });
    await report('salesforce', 'outbound-worker@a:1', 'closed');
    const res = await api().get('/api/v1/sync/circuits');
    expect(res.body.systems).toEqual([
      {
        system: 'stripe',
        state: 'open',
        reports: [
          { service: 'inbound-worker', instance: 'inbound-worker@a:2', system: 'stripe', state: 'half-open', since: '2026-01-01T10:00:00.000Z', failures: 3, last_failure: null, next_probe_at: null, reported_at: expect.any(String) },
          { service: 'outbound-worker', instance: 'outbound-worker@a:1', system: 'stripe', state: 'open', since: '2026-01-01T10:00:00.000Z', failures: 7, last_failure: 'api_error (503)', next_probe_at: '2026-01-01T10:00:05.000Z', reported_at: expect.any(String) },
        ],
      },
      { system: 'salesforce', state: 'closed', reports: [expect.objectContaining({ state: 'closed' })] },
    ]);
  });
});

describe('sync status routes with API keys', () => {
  const KEY = 'ops-key-0123456789abcdef';
  let secured: Awaited<ReturnType<typeof testApp>>;
  beforeAll(async () => {
    secured = await testApp({ apiKeys: [KEY] });
  });
  afterAll(() => secured.close());

  it.each(['/api/v1/customers/1/sync', '/api/v1/sync/customers', '/api/v1/sync/invoices', '/api/v1/sync/summary', '/api/v1/sync/circuits', '/api/v1/reconcile/last'])('GET %s needs the bearer key', async (path) => {
    const res = await request(secured.app).get(path);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    expect((await request(secured.app).get(path).set('Authorization', `Bearer ${KEY}`)).status).not.toBe(401);
  });
});
