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
