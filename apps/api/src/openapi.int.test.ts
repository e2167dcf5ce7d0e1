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
      ].sort(),
    );
    const create = doc.paths['/api/v1/customers'].post;
    const body = create.requestBody.content['application/json'].schema;
    expect(body).toMatchObject({ type: 'object', additionalProperties: false, required: ['name', 'email'] });
    expect(body.properties.name).toMatchObject({ type: 'string', maxLength: 255 });
    expect(body.properties.email).toMatchObject({ type: 'string', maxLength: 255 });
    expect(Object.keys(create.responses).sort()).toEqual(['201', '401', '409', '413', '415', '422']);
    const list = doc.paths['/api/v1/customers'].get;
    expect(list.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(['query:skip', 'query:limit', 'query:email']);
    expect(doc.paths['/api/v1/customers/{id}'].get.parameters[0]).toMatchObject({ name: 'id', in: 'path', required: true });
  });

  it('serves Swagger UI at /docs without fetching anything from the internet', async () => {
    const res = await request(ctx.app).get('/docs/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('swagger-ui');
    expect(res.text).not.toMatch(/https?:\/\/(unpkg|cdn|cdnjs)/);
  });
});
