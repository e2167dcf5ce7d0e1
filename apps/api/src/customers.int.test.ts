import request from 'supertest';
import { query, resetDatabase } from '../../../test/support/db';
import { testApp } from './test-app';

let ctx: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  ctx = await testApp();
});
afterAll(() => ctx.close());
beforeEach(() => resetDatabase());

const api = () => request(ctx.app);
const create = (body: object) => api().post('/api/v1/customers').send(body);
const outboxRows = () => query<{ event_type: string; aggregate_id: number; envelope: Record<string, unknown> }>('select * from outbox order by id');

describe('customers API: happy paths', () => {
  it('creates a customer (201, normalised), with its outbox row in the same commit', async () => {
    const res = await create({ name: '  Ada Lovelace ', email: ' Ada@Example.COM ' }).set('X-Request-Id', 'trace-create-1');
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: 1,
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      phone: null,
      address: null,
      version: 1,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(res.headers.location).toBe('/api/v1/customers/1');
    expect(res.headers.etag).toBe('"1"');
    const rows = await outboxRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ event_type: 'customer.created', aggregate_id: 1 });
    expect(rows[0]!.envelope).toMatchObject({
      type: 'customer.created',
      origin: 'internal',
      trace_id: 'trace-create-1',
      idempotency_key: 'customer:1:v1',
      payload: { customer_id: 1, version: 1, snapshot: { name: 'Ada Lovelace', email: 'ada@example.com', deleted: false } },
    });
  });

  it('gets one customer with its external mappings', async () => {
    await create({ name: 'A', email: 'a@x.io' });
    await query(`insert into external_mappings (internal_id, external_system, external_id) values (1, 'stripe', 'cus_123')`);
    const res = await api().get('/api/v1/customers/1');
    expect(res.status).toBe(200);
    expect(res.body.external_mappings).toEqual([{ id: 1, external_system: 'stripe', external_object_type: 'customer', external_id: 'cus_123', created_at: expect.any(String) }]);
    expect(res.headers.etag).toBe('"1"');
  });

  it('lists in id order with skip, limit and an email filter', async () => {
    for (let i = 1; i <= 5; i++) await create({ name: `C${i}`, email: `c${i}@x.io` });
    const page = await api().get('/api/v1/customers?skip=1&limit=2');
    expect(page.status).toBe(200);
    expect(page.body.map((c: { name: string }) => c.name)).toEqual(['C2', 'C3']);
    const all = await api().get('/api/v1/customers');
    expect(all.body).toHaveLength(5);
    const one = await api().get('/api/v1/customers').query({ email: 'C4@X.IO' });
    expect(one.body.map((c: { name: string }) => c.name)).toEqual(['C4']);
  });

  it('replaces (PUT) and patches (PATCH), bumping the version and writing one outbox row each', async () => {
    await create({ name: 'A', email: 'a@x.io' });
    const put = await api().put('/api/v1/customers/1').send({ name: 'B', email: 'b@x.io' });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: 'B', email: 'b@x.io', version: 2 });
    const patch = await api().patch('/api/v1/customers/1').send({ name: 'C' });
    expect(patch.body).toMatchObject({ name: 'C', email: 'b@x.io', version: 3 });
    expect((await outboxRows()).map((r) => r.event_type)).toEqual(['customer.created', 'customer.updated', 'customer.updated']);
  });

  it('an update that changes nothing commits nothing: same version, no outbox row', async () => {
    await create({ name: 'A', email: 'a@x.io' });
    const res = await api().put('/api/v1/customers/1').send({ name: 'A', email: 'A@x.io' });
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(1);
    expect(await outboxRows()).toHaveLength(1);
  });

  it('deletes (204): the customer is gone from reads, its email is free again, and the deletion is in the outbox', async () => {
    await create({ name: 'A', email: 'a@x.io' });
    expect((await api().delete('/api/v1/customers/1')).status).toBe(204);
    expect((await api().get('/api/v1/customers/1')).status).toBe(404);
    expect((await api().get('/api/v1/customers')).body).toEqual([]);
    expect((await api().delete('/api/v1/customers/1')).status).toBe(404);
    const rows = await outboxRows();
    expect(rows.map((r) => r.event_type)).toEqual(['customer.created', 'customer.deleted']);
    expect(rows[1]!.envelope).toMatchObject({ payload: { version: 2, snapshot: { deleted: true } } });
    expect((await create({ name: 'A again', email: 'a@x.io' })).status).toBe(201);
  });
});

describe('customers API: phone and address', () => {
  const address = { line1: '1 Main St', line2: null, city: 'Leeds', state: null, postal_code: 'LS1 4AP', country: 'GB' };

  it('creates with them (normalised), returns them from get and list, and puts them in the outbox snapshot', async () => {
    const res = await create({ name: 'Ada', email: 'ada@x.io', phone: ' +44 (0)20 7946-0000 ', address: { line1: ' 1 Main St ', city: 'Leeds', postal_code: 'LS1 4AP', country: 'gb' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ phone: '+44 (0)20 7946-0000', address });
    expect((await api().get('/api/v1/customers/1')).body).toMatchObject({ phone: '+44 (0)20 7946-0000', address });
    expect((await api().get('/api/v1/customers')).body[0]).toMatchObject({ phone: '+44 (0)20 7946-0000', address });
    expect((await outboxRows())[0]!.envelope).toMatchObject({ payload: { snapshot: { phone: '+44 (0)20 7946-0000', address, deleted: false } } });
  });

  it('PUT is a full replace: an absent phone or address becomes null', async () => {
    await create({ name: 'Ada', email: 'ada@x.io', phone: '123', address });
    const put = await api().put('/api/v1/customers/1').send({ name: 'Ada', email: 'ada@x.io' });
    expect(put.body).toMatchObject({ phone: null, address: null, version: 2 });
  });

  it('PATCH changes only what it is given; an address replaces the whole address, null clears it', async () => {
    await create({ name: 'Ada', email: 'ada@x.io', phone: '123', address });
    const phone = await api().patch('/api/v1/customers/1').send({ phone: '456' });
    expect(phone.body).toMatchObject({ name: 'Ada', phone: '456', address, version: 2 });
    const moved = await api().patch('/api/v1/customers/1').send({ address: { city: 'York', country: 'GB' } });
    expect(moved.body).toMatchObject({ phone: '456', address: { line1: null, line2: null, city: 'York', state: null, postal_code: null, country: 'GB' }, version: 3 });
    const cleared = await api().patch('/api/v1/customers/1').send({ address: null, phone: null });
    expect(cleared.body).toMatchObject({ name: 'Ada', phone: null, address: null, version: 4 });
    // An address whose parts are all empty is none: nothing changes, nothing is sent.
    const empty = await api().patch('/api/v1/customers/1').send({ address: { line1: ' ', country: '' } });
    expect(empty.body).toMatchObject({ address: null, version: 4 });
    expect((await outboxRows()).map((r) => r.event_type)).toEqual(['customer.created', 'customer.updated', 'customer.updated', 'customer.updated']);
  });

  it('refuses bad values with one 422 listing every problem, changing nothing', async () => {
    const res = await create({ name: 'Ada', email: 'ada@x.io', phone: 'call me', address: { line1: 'x'.repeat(201), postal_code: '1'.repeat(21), country: 'XX', planet: 'Mars' } });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.map((d: { path: string; message: string }) => `${d.path}: ${d.message}`).sort()).toEqual([
      'address.country: address.country must be an ISO 3166-1 alpha-2 country code',
      'address.line1: address.line1 must be at most 200 characters',
      'address.postal_code: address.postal_code must be at most 20 characters',
      'address: unknown field(s): planet',
      'phone: phone may hold only digits, spaces and + - ( ) .',
    ]);
    const patch = await api().patch('/api/v1/customers/1').send({ phone: '+()', address: 'Leeds' });
    expect(patch.status).toBe(422);
    expect(patch.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['address', 'phone']);
    expect(await query('select id from customers')).toEqual([]);
  });
});

describe('customers API: optimistic concurrency', () => {
  beforeEach(async () => {
    await create({ name: 'A', email: 'a@x.io' });
  });

  it('accepts a write whose If-Match is current and refuses a stale one with 412', async () => {
    expect((await api().put('/api/v1/customers/1').set('If-Match', '"1"').send({ name: 'B', email: 'a@x.io' })).status).toBe(200);
    const stale = await api().put('/api/v1/customers/1').set('If-Match', '"1"').send({ name: 'C', email: 'a@x.io' });
    expect(stale.status).toBe(412);
    expect(stale.body.error).toMatchObject({ code: 'version_conflict', details: { current_version: 2 } });
    expect((await api().get('/api/v1/customers/1')).body.name).toBe('B');
  });

  it('takes the version from the body too, and from If-Match on DELETE', async () => {
    expect((await api().patch('/api/v1/customers/1').send({ name: 'B', version: 7 })).status).toBe(412);
    expect((await api().delete('/api/v1/customers/1').set('If-Match', 'W/"9"')).status).toBe(412);
    expect((await api().delete('/api/v1/customers/1').set('If-Match', '"1"')).status).toBe(204);
  });

  it('refuses a malformed If-Match and disagreeing versions', async () => {
    expect((await api().put('/api/v1/customers/1').set('If-Match', 'banana').send({ name: 'B', email: 'a@x.io' })).body.error.code).toBe('invalid_if_match');
    expect((await api().put('/api/v1/customers/1').set('If-Match', '"1"').send({ name: 'B', email: 'a@x.io', version: 2 })).body.error.code).toBe('version_mismatch');
  });
});

describe('customers API: bad input never changes data and never yields a 500', () => {
  beforeEach(async () => {
    await create({ name: 'Taken', email: 'taken@x.io' });
  });

  const cases: Array<[string, () => request.Test, number, string]> = [
    ['unknown field', () => create({ name: 'A', email: 'a@x.io', admin: true }), 422, 'validation_failed'],
    ['missing name', () => create({ email: 'a@x.io' }), 422, 'validation_failed'],
    ['blank name', () => create({ name: '   ', email: 'a@x.io' }), 422, 'validation_failed'],
    ['name too long', () => create({ name: 'x'.repeat(256), email: 'a@x.io' }), 422, 'validation_failed'],
    ['name not a string', () => create({ name: 42, email: 'a@x.io' }), 422, 'validation_failed'],
    ['invalid email', () => create({ name: 'A', email: 'not-an-email' }), 422, 'validation_failed'],
    ['email too long', () => create({ name: 'A', email: `${'a'.repeat(251)}@x.io` }), 422, 'validation_failed'],
    ['body is an array', () => api().post('/api/v1/customers').send([{ name: 'A' }]), 422, 'validation_failed'],
    ['malformed JSON', () => api().post('/api/v1/customers').set('Content-Type', 'application/json').send('{"name": "A",'), 400, 'malformed_json'],
    ['wrong content type', () => api().post('/api/v1/customers').set('Content-Type', 'text/plain').send('name=A'), 415, 'unsupported_media_type'],
    ['form body', () => api().post('/api/v1/customers').type('form').send({ name: 'A', email: 'a@x.io' }), 415, 'unsupported_media_type'],
    ['body over 100 kB', () => create({ name: 'A', email: 'a@x.io', pad: 'x'.repeat(101 * 1024) }), 413, 'payload_too_large'],
    ['duplicate email, other case', () => create({ name: 'B', email: 'TAKEN@x.io' }), 409, 'email_taken'],
    ['id not an id', () => api().get('/api/v1/customers/abc'), 422, 'validation_failed'],
    ['negative id', () => api().get('/api/v1/customers/-1'), 422, 'validation_failed'],
    ['id beyond int range', () => api().get('/api/v1/customers/99999999999'), 422, 'validation_failed'],
    ['fractional id', () => api().put('/api/v1/customers/1.5').send({ name: 'A', email: 'a@x.io' }), 422, 'validation_failed'],
    ['missing customer', () => api().get('/api/v1/customers/999'), 404, 'customer_not_found'],
    ['update missing customer', () => api().put('/api/v1/customers/999').send({ name: 'A', email: 'a@x.io' }), 404, 'customer_not_found'],
    ['limit over 1000', () => api().get('/api/v1/customers?limit=1001'), 422, 'validation_failed'],
    ['limit zero', () => api().get('/api/v1/customers?limit=0'), 422, 'validation_failed'],
    ['limit not a number', () => api().get('/api/v1/customers?limit=ten'), 422, 'validation_failed'],
    ['limit given twice', () => api().get('/api/v1/customers?limit=1&limit=2'), 422, 'validation_failed'],
    ['unknown query parameter', () => api().get('/api/v1/customers?sort=name'), 422, 'validation_failed'],
    ['PUT missing a field', () => api().put('/api/v1/customers/1').send({ name: 'A' }), 422, 'validation_failed'],
    ['PATCH with nothing to change', () => api().patch('/api/v1/customers/1').send({}), 422, 'validation_failed'],
    ['PATCH to a taken email', () => api().post('/api/v1/customers').send({ name: 'B', email: 'b@x.io' }).then(() => api().patch('/api/v1/customers/2').send({ email: 'taken@x.io' })) as unknown as request.Test, 409, 'email_taken'],
    ['unknown route', () => api().get('/api/v1/nothing'), 404, 'route_not_found'],
  ];

  it.each(cases)('%s', async (_name, send, status, code) => {
    const before = await query('select id, name, email, version from customers order by id');
    const outboxBefore = (await outboxRows()).length;
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error: { code, message: expect.any(String), ...(res.body.error?.details !== undefined ? { details: expect.anything() } : {}) } });
    const after = await query('select id, name, email, version from customers order by id');
    if (code === 'email_taken' && _name.startsWith('PATCH')) {
      expect(after).toHaveLength(2); // the set-up's own create, not the refused change
      expect(after[1]).toMatchObject({ email: 'b@x.io', version: 1 });
    } else {
      expect(after).toEqual(before);
      expect((await outboxRows()).length).toBe(outboxBefore);
    }
  });

  it('names every problem of an invalid body at once', async () => {
    const res = await create({ name: '', email: 'nope', extra: 1 });
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['', 'email', 'name']);
  });
});

describe('customers API: concurrency', () => {
  it('concurrent creates with the same email: exactly one wins, the rest get 409', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => create({ name: `Racer ${i}`, email: 'race@x.io' })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(11);
    expect(await query(`select id from customers where email = 'race@x.io'`)).toHaveLength(1);
    expect(await query(`select id from outbox where envelope->'payload'->'snapshot'->>'email' = 'race@x.io'`)).toHaveLength(1);
  });
});
