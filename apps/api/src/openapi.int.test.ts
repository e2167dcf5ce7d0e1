import request from 'supertest';
import { testApp } from './test-app';

let ctx: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  ctx = await testApp();
});
afterAll(() => ctx.close());

describe('OpenAPI document', () => {
  it('describes every route, generated from the zod schemas that validate requests', async () => {
    const res = await request(ctx.app).get('/api/v1/openapi.json');
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    const ops = Object.entries(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap(([p, methods]) =>
      Object.entries(methods).map(([m, op]) => `${m.toUpperCase()} ${p} ${op.operationId}`),
    );
    expect(ops.sort()).toEqual(
      [
        'GET /api/v1/customers listCustomers',
        'POST /api/v1/customers createCustomer',
        'GET /api/v1/customers/{id} getCustomer',
        'PUT /api/v1/customers/{id} replaceCustomer',
        'PATCH /api/v1/customers/{id} updateCustomer',
        'DELETE /api/v1/customers/{id} deleteCustomer',
        'GET /api/v1/customers/{id}/sync getCustomerSyncStatus',
        'GET /api/v1/sync/customers listCustomerSyncStates',
        'GET /api/v1/sync-events listSyncEvents',
        'GET /api/v1/sync/summary getSyncSummary',
        'GET /api/v1/reconcile/last getLastReconcileReport',
        'GET /api/v1/dead-letters listDeadLetters',
        'GET /api/v1/dead-letters/{id} getDeadLetter',
        'POST /api/v1/dead-letters/{id}/replay replayDeadLetter',
        'POST /api/v1/dead-letters/{id}/discard discardDeadLetter',
      ].sort(),
    );
    const create = doc.paths['/api/v1/customers'].post;
    const body = create.requestBody.content['application/json'].schema;
    expect(body).toMatchObject({ type: 'object', additionalProperties: false, required: ['name', 'email'] });
    expect(body.properties.name).toMatchObject({ type: 'string', maxLength: 255 });
    expect(body.properties.email).toMatchObject({ type: 'string', maxLength: 255 });
    expect(body.properties.phone).toMatchObject({ anyOf: [{ type: 'string', maxLength: 20 }, { type: 'null' }] });
    const address = body.properties.address.anyOf[0];
    expect(address).toMatchObject({ type: 'object', additionalProperties: false });
    expect(Object.keys(address.properties)).toEqual(['line1', 'line2', 'city', 'state', 'postal_code', 'country']);
    const created = create.responses['201'].content['application/json'].schema;
    expect(created.required).toEqual(expect.arrayContaining(['phone', 'address']));
    const patch = doc.paths['/api/v1/customers/{id}'].patch.requestBody.content['application/json'].schema;
    expect(patch.anyOf).toEqual(['name', 'email', 'phone', 'address'].map((f) => ({ required: [f] })));
    expect(Object.keys(create.responses).sort()).toEqual(['201', '400', '401', '409', '413', '415', '422']);
    const list = doc.paths['/api/v1/customers'].get;
    expect(list.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(['query:skip', 'query:limit', 'query:email']);
    expect(doc.paths['/api/v1/customers/{id}'].get.parameters[0]).toMatchObject({ name: 'id', in: 'path', required: true });
  });

  it('describes the sync and dead-letter routes: filters, optional and required bodies, error answers', async () => {
    const doc = (await request(ctx.app).get('/api/v1/openapi.json')).body;
    const events = doc.paths['/api/v1/sync-events'].get;
    expect(events.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual([
      'query:customer_id',
      'query:system',
      'query:status',
      'query:direction',
      'query:from',
      'query:to',
      'query:limit',
      'query:before_id',
    ]);
    expect(events.responses['200'].content['application/json'].schema.properties).toHaveProperty('next_before_id');
    const replay = doc.paths['/api/v1/dead-letters/{id}/replay'].post;
    expect(replay.requestBody.required).toBe(false);
    expect(Object.keys(replay.responses).sort()).toEqual(['200', '400', '401', '404', '409', '413', '415', '422', '503']);
    const discard = doc.paths['/api/v1/dead-letters/{id}/discard'].post;
    expect(discard.requestBody).toMatchObject({ required: true, content: { 'application/json': { schema: { required: ['reason'], additionalProperties: false } } } });
    expect(discard.requestBody.content['application/json'].schema.properties.reason).toMatchObject({ type: 'string', minLength: 3, maxLength: 500 });
    for (const path of Object.keys(doc.paths)) for (const op of Object.values(doc.paths[path]) as Array<{ security: unknown }>) expect(op.security).toEqual([{ bearerAuth: [] }]);
  });

  it('serves Swagger UI at /docs without fetching anything from the internet', async () => {
    const res = await request(ctx.app).get('/docs/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('swagger-ui');
    expect(res.text).not.toMatch(/https?:\/\/(unpkg|cdn|cdnjs)/);
  });
});
