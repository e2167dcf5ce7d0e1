import request from 'supertest';
import { invoiceEventMessage } from '@cs/kafka-schemas';
import { query, resetDatabase } from '../../../test/support/db';
import { testApp } from './test-app';

let ctx: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  ctx = await testApp();
});
afterAll(() => ctx.close());
beforeEach(() => resetDatabase());

const api = () => request(ctx.app);
const newCustomer = async (email = 'ada@x.io') => (await api().post('/api/v1/customers').send({ name: 'Ada', email })).body.id as number;
const lines = [
  { description: 'Seats', quantity: 3, unit_amount: 1250 },
  { description: 'Setup', quantity: 1, unit_amount: 999 },
];
const draft = (customer_id: number, extra: object = {}) => ({ customer_id, currency: 'EUR', lines, ...extra });
const create = (body: object) => api().post('/api/v1/invoices').send(body);
const act = (id: number, action: string) => api().post(`/api/v1/invoices/${id}/${action}`);
type OutboxRow = { entity_type: string; event_type: string; aggregate_id: number; envelope: Record<string, unknown> };
const invoiceOutbox = () => query<OutboxRow>(`select entity_type, event_type, aggregate_id, envelope from outbox where entity_type = 'invoice' order by id`);
const eventsOf = async () => (await invoiceOutbox()).map((r) => `${r.event_type}:v${(r.envelope.payload as { version: number }).version}`);

describe('invoices API: drafts', () => {
  it('creates a draft (201) with computed totals, a lower-case currency, and an invoice outbox row in the same commit', async () => {
    const c = await newCustomer();
    const res = await create(draft(c, { description: ' March ' })).set('X-Request-Id', 'trace-inv-1');
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: 1,
      customer_id: c,
      currency: 'eur',
      status: 'draft',
      collection_method: 'charge_automatically',
      due_date: null,
      description: 'March',
      number: null,
      amount_due: 4749,
      amount_paid: 0,
      amount_remaining: 4749,
      hosted_invoice_url: null,
      invoice_pdf: null,
      paid_at: null,
      version: 1,
      created_at: expect.any(String),
      updated_at: expect.any(String),
      lines: [
        { id: 1, description: 'Seats', quantity: 3, unit_amount: 1250, amount: 3750, position: 0 },
        { id: 2, description: 'Setup', quantity: 1, unit_amount: 999, amount: 999, position: 1 },
      ],
    });
    expect(res.headers.location).toBe('/api/v1/invoices/1');
    expect(res.headers.etag).toBe('"1"');
    const rows = await invoiceOutbox();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ entity_type: 'invoice', event_type: 'invoice.created', aggregate_id: 1 });
    expect(invoiceEventMessage.parse(rows[0]!.envelope)).toEqual({
      id: expect.any(String),
      type: 'invoice.created',
      idempotency_key: 'invoice:1:v1',
      occurred_at: expect.any(String),
      origin: 'internal',
      trace_id: 'trace-inv-1',
      payload: { invoice_id: 1, customer_id: c, version: 1, status: 'draft' },
    });
  });

  it('creates a send_invoice draft with its due date, and an empty draft without lines', async () => {
    const c = await newCustomer();
    const sent = await create(draft(c, { collection_method: 'send_invoice', due_date: '2027-01-31' }));
    expect(sent.body).toMatchObject({ collection_method: 'send_invoice', due_date: '2027-01-31' });
    const empty = await create({ customer_id: c, currency: 'usd' });
    expect(empty.status).toBe(201);
    expect(empty.body).toMatchObject({ currency: 'usd', lines: [], amount_due: 0, amount_remaining: 0 });
  });

  it('gets one invoice with its lines and its own external mappings (not a customer mapping with the same id)', async () => {
    const c = await newCustomer();
    await create(draft(c));
    await query(`insert into external_mappings (entity_type, internal_id, external_system, external_object_type, external_id) values
                 ('customer', 1, 'stripe', 'customer', 'cus_1'), ('invoice', 1, 'stripe', 'invoice', 'in_1')`);
    const res = await api().get('/api/v1/invoices/1');
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('"1"');
    expect(res.body.lines.map((l: { description: string }) => l.description)).toEqual(['Seats', 'Setup']);
    expect(res.body.external_mappings).toEqual([{ id: 2, external_system: 'stripe', external_object_type: 'invoice', external_id: 'in_1', created_at: expect.any(String) }]);
  });

  it('lists in id order with skip and limit, filtered by customer and status, without lines; and per customer', async () => {
    const a = await newCustomer('a@x.io');
    const b = await newCustomer('b@x.io');
    for (const customer of [a, b, a, a, b]) await create(draft(customer));
    await act(3, 'finalize').expect(200);
    await act(5, 'finalize').expect(200);
    const ids = (res: request.Response) => res.body.map((i: { id: number }) => i.id);
    expect(ids(await api().get('/api/v1/invoices'))).toEqual([1, 2, 3, 4, 5]);
    expect(ids(await api().get('/api/v1/invoices?skip=1&limit=2'))).toEqual([2, 3]);
    expect(ids(await api().get(`/api/v1/invoices?customer_id=${a}`))).toEqual([1, 3, 4]);
    expect(ids(await api().get('/api/v1/invoices?status=open'))).toEqual([3, 5]);
    expect(ids(await api().get(`/api/v1/invoices?customer_id=${a}&status=draft`))).toEqual([1, 4]);
    expect((await api().get('/api/v1/invoices')).body[0]).not.toHaveProperty('lines');
    expect(ids(await api().get(`/api/v1/customers/${b}/invoices`))).toEqual([2, 5]);
    expect(ids(await api().get(`/api/v1/customers/${a}/invoices?status=open&limit=1`))).toEqual([3]);
    expect(ids(await api().get(`/api/v1/customers/${a}/invoices?skip=2`))).toEqual([4]);
    const missing = await api().get('/api/v1/customers/999/invoices');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('customer_not_found');
  });

  it('PUT replaces fields and all lines (renumbered, totals recomputed); PATCH changes only what it is given; each bumps the version once', async () => {
    const c = await newCustomer();
    await create(draft(c, { description: 'first' }));
    const put = await api()
      .put('/api/v1/invoices/1')
      .send({ currency: 'gbp', collection_method: 'send_invoice', due_date: '2027-02-28', lines: [{ description: 'Only', quantity: 2, unit_amount: 500 }] });
    expect(put.status).toBe(200);
    expect(put.headers.etag).toBe('"2"');
    expect(put.body).toMatchObject({ currency: 'gbp', collection_method: 'send_invoice', due_date: '2027-02-28', description: null, amount_due: 1000, amount_remaining: 1000, version: 2 });
    expect(put.body.lines).toEqual([{ id: 3, description: 'Only', quantity: 2, unit_amount: 500, amount: 1000, position: 0 }]);

    const patch = await api().patch('/api/v1/invoices/1').send({ description: 'second' });
    expect(patch.body).toMatchObject({ description: 'second', currency: 'gbp', amount_due: 1000, version: 3 });
    expect(patch.body.lines.map((l: { id: number }) => l.id)).toEqual([3]);

    const relined = await api().patch('/api/v1/invoices/1').send({ lines: [...lines, { description: 'Free', quantity: 1, unit_amount: 0 }] });
    expect(relined.body).toMatchObject({ amount_due: 4749, version: 4 });
    expect(relined.body.lines.map((l: { position: number; description: string }) => `${l.position}:${l.description}`)).toEqual(['0:Seats', '1:Setup', '2:Free']);
    expect(await query('select invoice_id, position from invoice_lines order by position')).toEqual([0, 1, 2].map((position) => ({ invoice_id: 1, position })));

    // Back to charge_automatically: the due date must go in the same change.
    const method = await api().patch('/api/v1/invoices/1').send({ collection_method: 'charge_automatically', due_date: null });
    expect(method.body).toMatchObject({ collection_method: 'charge_automatically', due_date: null, version: 5 });
    expect(await eventsOf()).toEqual(['invoice.created:v1', 'invoice.updated:v2', 'invoice.updated:v3', 'invoice.updated:v4', 'invoice.updated:v5']);
  });

  it('an update that changes nothing commits nothing: same version, same lines, no outbox row', async () => {
    const c = await newCustomer();
    await create(draft(c, { description: 'same' }));
    const res = await api().put('/api/v1/invoices/1').send({ currency: 'eur', description: ' same ', lines });
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(1);
    expect(res.body.lines.map((l: { id: number }) => l.id)).toEqual([1, 2]);
    expect((await api().patch('/api/v1/invoices/1').send({ currency: 'EUR' })).body.version).toBe(1);
    expect(await eventsOf()).toEqual(['invoice.created:v1']);
  });

  it('deletes a draft (204): gone from reads and lists, kept as a tombstone, the deletion in the outbox', async () => {
    const c = await newCustomer();
    await create(draft(c));
    expect((await api().delete('/api/v1/invoices/1')).status).toBe(204);
    expect((await api().get('/api/v1/invoices/1')).status).toBe(404);
    expect((await api().get('/api/v1/invoices')).body).toEqual([]);
    expect((await api().get(`/api/v1/customers/${c}/invoices`)).body).toEqual([]);
    expect((await api().delete('/api/v1/invoices/1')).status).toBe(404);
    expect(await query('select status, deleted_at is not null as deleted, version from invoices')).toEqual([{ status: 'draft', deleted: true, version: 2 }]);
    expect(await eventsOf()).toEqual(['invoice.created:v1', 'invoice.deleted:v2']);
  });
});

describe('invoices API: lifecycle', () => {
  /** An invoice of a fresh customer brought to `status` the way it gets there (paid: as the inbound sync will write it). */
  async function invoiceIn(status: string): Promise<number> {
    const c = await newCustomer(`${status}-${Math.random()}@x.io`);
    const id = (await create(draft(c))).body.id as number;
    if (status === 'draft') return id;
    await act(id, 'finalize').expect(200);
    if (status === 'uncollectible' || status === 'void') await act(id, status === 'void' ? 'void' : 'mark-uncollectible').expect(200);
    if (status === 'paid') await query(`update invoices set status = 'paid', amount_paid = amount_due, amount_remaining = 0, paid_at = now() where id = $1`, [id]);
    return id;
  }

  it('finalizes (draft → open), marks uncollectible (open → uncollectible), voids (→ void): version and one outbox row each', async () => {
    const id = await invoiceIn('draft');
    const open = await act(id, 'finalize');
    expect(open.status).toBe(200);
    expect(open.headers.etag).toBe('"2"');
    expect(open.body).toMatchObject({ status: 'open', amount_due: 4749, amount_paid: 0, amount_remaining: 4749, number: null, version: 2 });
    expect(open.body.lines).toHaveLength(2);
    expect((await act(id, 'mark-uncollectible')).body).toMatchObject({ status: 'uncollectible', version: 3 });
    expect((await act(id, 'void')).body).toMatchObject({ status: 'void', version: 4 });
    expect(await eventsOf()).toEqual(['invoice.created:v1', 'invoice.finalized:v2', 'invoice.marked_uncollectible:v3', 'invoice.voided:v4']);
    expect((await invoiceOutbox()).map((r) => invoiceEventMessage.parse(r.envelope).payload.status)).toEqual(['draft', 'open', 'uncollectible', 'void']);
  });

  // Every action from every status: only the lifecycle's edges pass, the rest are 409s that change nothing.
  const matrix: Array<[string, string, number, string]> = [
    ['draft', 'finalize', 200, 'open'],
    ['draft', 'void', 409, 'invalid_transition'],
    ['draft', 'mark-uncollectible', 409, 'invalid_transition'],
    ['open', 'finalize', 409, 'invalid_transition'],
    ['open', 'void', 200, 'void'],
    ['open', 'mark-uncollectible', 200, 'uncollectible'],
    ['uncollectible', 'finalize', 409, 'invalid_transition'],
    ['uncollectible', 'void', 200, 'void'],
    ['uncollectible', 'mark-uncollectible', 409, 'invalid_transition'],
    ['paid', 'finalize', 409, 'invalid_transition'],
    ['paid', 'void', 409, 'invalid_transition'],
    ['paid', 'mark-uncollectible', 409, 'invalid_transition'],
    ['void', 'finalize', 409, 'invalid_transition'],
    ['void', 'void', 409, 'invalid_transition'],
    ['void', 'mark-uncollectible', 409, 'invalid_transition'],
  ];
  it.each(matrix)('%s invoice, %s → %i %s', async (from, action, status, outcome) => {
    const id = await invoiceIn(from);
    const before = await query('select status, version from invoices where id = $1', [id]);
    const outbox = (await invoiceOutbox()).length;
    const res = await act(id, action);
    expect(res.status).toBe(status);
    if (status === 200) {
      expect(res.body.status).toBe(outcome);
      expect(res.body.version).toBe(Number(before[0]!.version) + 1);
      expect((await invoiceOutbox()).length).toBe(outbox + 1);
    } else {
      expect(res.body.error).toMatchObject({ code: outcome, details: { status: from, action: action.replace('-', '_') } });
      expect(await query('select status, version from invoices where id = $1', [id])).toEqual(before);
      expect((await invoiceOutbox()).length).toBe(outbox);
    }
  });

  it('names what an action needs when refused', async () => {
    const id = await invoiceIn('paid');
    expect((await act(id, 'void')).body.error.message).toBe(`invoice ${id} is paid: void applies only to an invoice that is open or uncollectible`);
    expect((await act(id, 'finalize')).body.error.message).toBe(`invoice ${id} is paid: finalize applies only to an invoice that is draft`);
  });

  it('refuses to finalize a draft without lines (409)', async () => {
    const c = await newCustomer();
    await create({ customer_id: c, currency: 'eur' });
    const res = await act(1, 'finalize');
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'invoice_has_no_lines', message: 'invoice 1 has no lines: add one before finalizing it' });
    expect(await query('select status, version from invoices')).toEqual([{ status: 'draft', version: 1 }]);
  });

  it.each(['open', 'uncollectible', 'paid', 'void'])('a %s invoice keeps its fields and lines: PUT, PATCH and DELETE are 409s', async (status) => {
    const id = await invoiceIn(status);
    const before = await query('select * from invoices where id = $1', [id]);
    const linesBefore = await query('select * from invoice_lines where invoice_id = $1 order by id', [id]);
    const outbox = (await invoiceOutbox()).length;
    for (const res of [
      await api().put(`/api/v1/invoices/${id}`).send({ currency: 'eur', lines: [] }),
      await api().patch(`/api/v1/invoices/${id}`).send({ lines: [{ description: 'More', quantity: 1, unit_amount: 1 }] }),
      await api().patch(`/api/v1/invoices/${id}`).send({ description: 'new' }),
      await api().delete(`/api/v1/invoices/${id}`),
    ]) {
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ code: 'invoice_not_draft', details: { status } });
    }
    expect(await query('select * from invoices where id = $1', [id])).toEqual(before);
    expect(await query('select * from invoice_lines where invoice_id = $1 order by id', [id])).toEqual(linesBefore);
    expect((await invoiceOutbox()).length).toBe(outbox);
  });
});

describe('invoices API: optimistic concurrency', () => {
  beforeEach(async () => {
    await create(draft(await newCustomer()));
  });

  it('a stale If-Match or body version is a 412 on PUT, PATCH, DELETE and the actions; a current one passes', async () => {
    const stale = [
      await api().put('/api/v1/invoices/1').set('If-Match', '"7"').send({ currency: 'usd' }),
      await api().patch('/api/v1/invoices/1').send({ currency: 'usd', version: 7 }),
      await api().delete('/api/v1/invoices/1').set('If-Match', 'W/"7"'),
      await act(1, 'finalize').set('If-Match', '"7"'),
      await act(1, 'finalize').send({ version: 7 }),
    ];
    for (const res of stale) expect(res.body.error).toMatchObject({ code: 'version_conflict', details: { current_version: 1 } });
    expect(stale.map((r) => r.status)).toEqual([412, 412, 412, 412, 412]);
    expect((await api().patch('/api/v1/invoices/1').set('If-Match', '"1"').send({ currency: 'usd' })).status).toBe(200);
    expect((await act(1, 'finalize').send({ version: 2 })).body).toMatchObject({ status: 'open', version: 3 });
    expect(await eventsOf()).toEqual(['invoice.created:v1', 'invoice.updated:v2', 'invoice.finalized:v3']);
  });

  it('refuses a malformed If-Match and disagreeing versions (400)', async () => {
    expect((await act(1, 'void').set('If-Match', 'banana')).body.error.code).toBe('invalid_if_match');
    expect((await act(1, 'finalize').set('If-Match', '"1"').send({ version: 2 })).body.error.code).toBe('version_mismatch');
  });
});

describe('invoices API: bad input never changes data and never yields a 500', () => {
  let c: number;
  beforeEach(async () => {
    c = await newCustomer();
    await create(draft(c, { collection_method: 'send_invoice', due_date: '2027-01-31' }));
  });
  const line = (extra: object) => ({ customer_id: c, currency: 'eur', lines: [{ description: 'x', quantity: 1, unit_amount: 1, ...extra }] });
  const many = (n: number, unit_amount = 1, quantity = 1) => Array.from({ length: n }, () => ({ description: 'x', quantity, unit_amount }));

  // [name, request, status, code, the one problem reported (path: message)]
  const cases: Array<[string, () => request.Test, number, string, string?]> = [
    ['unknown field', () => create({ ...draft(c), admin: true }), 422, 'validation_failed', ': unknown field(s): admin'],
    ['a computed total given', () => create({ ...draft(c), amount_due: 1 }), 422, 'validation_failed', ': unknown field(s): amount_due'],
    ['amount paid given', () => create({ ...draft(c), amount_paid: 0, amount_remaining: 0 }), 422, 'validation_failed', ': unknown field(s): amount_paid, amount_remaining'],
    ['a status given', () => create({ ...draft(c), status: 'paid' }), 422, 'validation_failed', ': unknown field(s): status'],
    ["Stripe's number given", () => create({ ...draft(c), number: 'INV-1' }), 422, 'validation_failed', ': unknown field(s): number'],
    ['a line total given', () => create(line({ amount: 1 })), 422, 'validation_failed', 'lines.0: unknown field(s): amount'],
    ['missing customer_id', () => create({ currency: 'eur' }), 422, 'validation_failed', 'customer_id: customer_id must be an integer'],
    ['customer_id a string', () => create({ customer_id: String(c), currency: 'eur' }), 422, 'validation_failed', 'customer_id: customer_id must be an integer'],
    ['no such customer', () => create(draft(999)), 422, 'validation_failed', 'customer_id: customer 999 does not exist (or is deleted)'],
    ['missing currency', () => create({ customer_id: c }), 422, 'validation_failed', 'currency: currency must be a string'],
    ['not a currency', () => create(draft(c, { currency: 'xyz' })), 422, 'validation_failed', 'currency: currency must be an ISO 4217 currency code, e.g. eur or USD'],
    ['a withdrawn currency', () => create(draft(c, { currency: 'HRK' })), 422, 'validation_failed', 'currency: currency must be an ISO 4217 currency code, e.g. eur or USD'],
    ['unit amount a decimal', () => create(line({ unit_amount: 12.5 })), 422, 'validation_failed', 'lines.0.unit_amount: unit_amount must be an integer of minor units (cents), not a decimal'],
    ['unit amount a string', () => create(line({ unit_amount: '100' })), 422, 'validation_failed', 'lines.0.unit_amount: unit_amount must be an integer of minor units (cents), not a decimal'],
    ['unit amount negative', () => create(line({ unit_amount: -1 })), 422, 'validation_failed', 'lines.0.unit_amount: unit_amount must be at least 0'],
    ['unit amount over Stripe’s max', () => create(line({ unit_amount: 100_000_000 })), 422, 'validation_failed', 'lines.0.unit_amount: unit_amount must be at most 99999999'],
    ['quantity 0', () => create(line({ quantity: 0 })), 422, 'validation_failed', 'lines.0.quantity: quantity must be at least 1'],
    ['quantity a decimal', () => create(line({ quantity: 1.5 })), 422, 'validation_failed', 'lines.0.quantity: quantity must be an integer'],
    ['line without description', () => create(line({ description: '  ' })), 422, 'validation_failed', 'lines.0.description: description must not be blank'],
    ['line not an object', () => create({ customer_id: c, currency: 'eur', lines: [42] }), 422, 'validation_failed', 'lines.0: a line must be an object'],
    ['lines not an array', () => create({ customer_id: c, currency: 'eur', lines: {} }), 422, 'validation_failed', 'lines: lines must be an array of lines'],
    ['too many lines', () => create({ customer_id: c, currency: 'eur', lines: many(251) }), 422, 'validation_failed', 'lines: an invoice has at most 250 lines'],
    [
      'total beyond MAX_SAFE_INTEGER',
      () => create({ customer_id: c, currency: 'eur', lines: many(91, 99_999_999, 1_000_000) }),
      422,
      'validation_failed',
      'lines: the lines total 9099999909000000 minor units, more than 9007199254740991',
    ],
    ['send_invoice without due date', () => create(draft(c, { collection_method: 'send_invoice' })), 422, 'validation_failed', 'due_date: due_date is required when collection_method is send_invoice'],
    [
      'charge_automatically with a due date',
      () => create(draft(c, { due_date: '2027-01-31' })),
      422,
      'validation_failed',
      'due_date: due_date must be left out (or null) when collection_method is charge_automatically',
    ],
    ['a date that does not exist', () => create(draft(c, { collection_method: 'send_invoice', due_date: '2027-02-30' })), 422, 'validation_failed', 'due_date: due_date must be a calendar date, YYYY-MM-DD'],
    ['a date-time for a date', () => create(draft(c, { collection_method: 'send_invoice', due_date: '2027-01-31T00:00:00Z' })), 422, 'validation_failed', 'due_date: due_date must be a calendar date, YYYY-MM-DD'],
    ['unknown collection method', () => create(draft(c, { collection_method: 'cheque' })), 422, 'validation_failed', 'collection_method: collection_method must be one of charge_automatically, send_invoice'],
    ['description too long', () => create(draft(c, { description: 'x'.repeat(1001) })), 422, 'validation_failed', 'description: description must be at most 1000 characters'],
    ['PUT changing the customer', () => api().put('/api/v1/invoices/1').send({ customer_id: c, currency: 'eur', collection_method: 'send_invoice', due_date: '2027-01-31' }), 422, 'validation_failed', ': unknown field(s): customer_id'],
    ['PUT missing currency', () => api().put('/api/v1/invoices/1').send({ collection_method: 'send_invoice', due_date: '2027-01-31' }), 422, 'validation_failed', 'currency: currency must be a string'],
    ['PATCH with nothing to change', () => api().patch('/api/v1/invoices/1').send({}), 422, 'validation_failed', ': give at least one of currency, collection_method, due_date, description, lines'],
    ['PATCH dropping the due date a send_invoice needs', () => api().patch('/api/v1/invoices/1').send({ due_date: null }), 422, 'validation_failed', 'due_date: due_date is required when collection_method is send_invoice'],
    [
      'PATCH to charge_automatically keeping the due date',
      () => api().patch('/api/v1/invoices/1').send({ collection_method: 'charge_automatically' }),
      422,
      'validation_failed',
      'due_date: due_date must be left out (or null) when collection_method is charge_automatically',
    ],
    ['PATCH a total given', () => api().patch('/api/v1/invoices/1').send({ amount_due: 0 }), 422, 'validation_failed'],
    ['action with a field', () => act(1, 'finalize').send({ status: 'open' }), 422, 'validation_failed', ': unknown field(s): status'],
    ['malformed JSON', () => api().post('/api/v1/invoices').set('Content-Type', 'application/json').send('{"currency": "eur",'), 400, 'malformed_json'],
    ['wrong content type', () => api().post('/api/v1/invoices').set('Content-Type', 'text/plain').send('currency=eur'), 415, 'unsupported_media_type'],
    ['id not an id', () => api().get('/api/v1/invoices/abc'), 422, 'validation_failed', 'id: id must be an integer'],
    ['id 0', () => api().delete('/api/v1/invoices/0'), 422, 'validation_failed', 'id: id must be at least 1'],
    ['id beyond int range', () => act(99999999999, 'void'), 422, 'validation_failed', 'id: id must be an integer'],
    ['missing invoice', () => api().get('/api/v1/invoices/999'), 404, 'invoice_not_found'],
    ['update missing invoice', () => api().patch('/api/v1/invoices/999').send({ description: 'x' }), 404, 'invoice_not_found'],
    ['finalize missing invoice', () => act(999, 'finalize'), 404, 'invoice_not_found'],
    ['list by unknown status', () => api().get('/api/v1/invoices?status=sent'), 422, 'validation_failed', 'status: status must be one of draft, open, paid, void, uncollectible'],
    ['list by a bad customer id', () => api().get('/api/v1/invoices?customer_id=x'), 422, 'validation_failed', 'customer_id: customer_id must be an integer'],
    ['list with limit over 1000', () => api().get('/api/v1/invoices?limit=1001'), 422, 'validation_failed', 'limit: limit must be at most 1000'],
    ['list with an unknown parameter', () => api().get('/api/v1/invoices?sort=amount'), 422, 'validation_failed', ': unknown field(s): sort'],
    ["a customer's list with a bad customer id", () => api().get('/api/v1/customers/abc/invoices'), 422, 'validation_failed', 'id: id must be an integer'],
  ];

  // Every row has all five columns: jest hands a test with more parameters than its row a done callback.
  it.each(cases.map(([n, send, status, code, problem]) => [n, send, status, code, problem ?? null] as const))('%s', async (_name, send, status, code, problem) => {
    const snapshot = () => Promise.all([query('select * from invoices order by id'), query('select * from invoice_lines order by id'), query('select id from outbox order by id')]);
    const before = await snapshot();
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error: { code, message: expect.any(String), ...(res.body.error?.details !== undefined ? { details: expect.anything() } : {}) } });
    if (problem !== null) expect(res.body.error.details.map((d: { path: string; message: string }) => `${d.path}: ${d.message}`)).toEqual([problem]);
    expect(await snapshot()).toEqual(before);
  });

  it('names every problem of an invalid body at once', async () => {
    const res = await create({ customer_id: c, currency: 'xx', collection_method: 'send_invoice', lines: [{ description: '', quantity: 0, unit_amount: 1.1 }], extra: 1 });
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['', 'currency', 'lines.0.description', 'lines.0.quantity', 'lines.0.unit_amount']);
  });

  it('needs the API key like every route', async () => {
    const locked = await testApp({ apiKeys: ['k'.repeat(32)] });
    try {
      expect((await request(locked.app).get('/api/v1/invoices')).status).toBe(401);
      expect((await request(locked.app).post('/api/v1/invoices/1/finalize')).status).toBe(401);
      expect((await request(locked.app).get('/api/v1/invoices/1').set('Authorization', `Bearer ${'k'.repeat(32)}`)).status).toBe(200);
    } finally {
      await locked.close();
    }
  });
});

describe('deleting a customer who has invoices', () => {
  it.each(['open', 'uncollectible'])('is refused (409) while an invoice is %s; nothing changes', async (status) => {
    const c = await newCustomer();
    await create(draft(c));
    await create(draft(c));
    await act(2, 'finalize').expect(200);
    if (status === 'uncollectible') await act(2, 'mark-uncollectible').expect(200);
    const outbox = await query('select id from outbox');
    const res = await api().delete(`/api/v1/customers/${c}`);
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({
      code: 'customer_has_open_invoices',
      message: `customer ${c} has open or uncollectible invoices (2): void them (or have them paid) before deleting the customer`,
      details: { invoice_ids: [2] },
    });
    expect((await api().get(`/api/v1/customers/${c}`)).status).toBe(200);
    expect(await query('select id, status, deleted_at from invoices order by id')).toEqual([
      { id: 1, status: 'draft', deleted_at: null },
      { id: 2, status, deleted_at: null },
    ]);
    expect(await query('select id from outbox')).toEqual(outbox);
  });

  it('deletes its drafts with it, in the same commit, each with an invoice.deleted row; paid and void invoices stay', async () => {
    const c = await newCustomer();
    const other = await newCustomer('other@x.io');
    for (const customer of [c, c, c, c, other]) await create(draft(customer));
    await act(3, 'finalize').expect(200);
    await act(3, 'void').expect(200);
    await act(4, 'finalize').expect(200);
    await query(`update invoices set status = 'paid', amount_paid = amount_due, amount_remaining = 0, paid_at = now() where id = 4`);

    expect((await api().delete(`/api/v1/customers/${c}`)).status).toBe(204);
    expect((await api().get('/api/v1/invoices/1')).status).toBe(404);
    expect((await api().get('/api/v1/invoices/2')).status).toBe(404);
    expect(await query('select id, status, deleted_at is not null as deleted from invoices order by id')).toEqual([
      { id: 1, status: 'draft', deleted: true },
      { id: 2, status: 'draft', deleted: true },
      { id: 3, status: 'void', deleted: false },
      { id: 4, status: 'paid', deleted: false },
      { id: 5, status: 'draft', deleted: false },
    ]);
    expect((await api().get('/api/v1/invoices')).body.map((i: { id: number }) => i.id)).toEqual([3, 4, 5]);
    const last = await query<{ entity_type: string; event_type: string; aggregate_id: number }>('select entity_type, event_type, aggregate_id from outbox order by id desc limit 3');
    expect(last.reverse()).toEqual([
      { entity_type: 'invoice', event_type: 'invoice.deleted', aggregate_id: 1 },
      { entity_type: 'invoice', event_type: 'invoice.deleted', aggregate_id: 2 },
      { entity_type: 'customer', event_type: 'customer.deleted', aggregate_id: c },
    ]);
    // A deleted customer gets no new invoice.
    const late = await create(draft(c));
    expect(late.status).toBe(422);
    expect(late.body.error.details).toEqual([{ in: 'body', path: 'customer_id', code: 'custom', message: `customer ${c} does not exist (or is deleted)` }]);
  });

  it('a draft created while the customer is being deleted is either refused or deleted with it, never left behind', async () => {
    const c = await newCustomer();
    await create(draft(c));
    const results = await Promise.all([api().delete(`/api/v1/customers/${c}`), ...Array.from({ length: 8 }, () => create(draft(c)))]);
    expect(results[0]!.status).toBe(204);
    expect(results.slice(1).every((r) => r.status === 201 || r.status === 422)).toBe(true);
    expect(await query('select id from invoices where deleted_at is null')).toEqual([]);
  });
});
