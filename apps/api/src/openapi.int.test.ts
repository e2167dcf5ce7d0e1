import request from 'supertest';
import { resetDatabase } from '../../../test/support/db';
import { invoiceDetailResponse, invoiceResponse, invoiceWithLinesResponse } from './routes/invoices/schemas';
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
        'GET /api/v1/sync/invoices listInvoiceSyncStates',
        'GET /api/v1/sync-events listSyncEvents',
        'GET /api/v1/sync/summary getSyncSummary',
        'GET /api/v1/sync/analytics getSyncAnalytics',
        'GET /api/v1/sync/circuits getSyncCircuits',
        'GET /api/v1/reconcile/last getLastReconcileReport',
        'GET /api/v1/dead-letters listDeadLetters',
        'GET /api/v1/dead-letters/{id} getDeadLetter',
        'POST /api/v1/dead-letters/{id}/replay replayDeadLetter',
        'POST /api/v1/dead-letters/{id}/discard discardDeadLetter',
        'GET /api/v1/customers/{id}/invoices listCustomerInvoices',
        'GET /api/v1/invoices listInvoices',
        'POST /api/v1/invoices createInvoice',
        'GET /api/v1/invoices/{id} getInvoice',
        'PUT /api/v1/invoices/{id} replaceInvoice',
        'PATCH /api/v1/invoices/{id} updateInvoice',
        'DELETE /api/v1/invoices/{id} deleteInvoice',
        'POST /api/v1/invoices/{id}/finalize finalizeInvoice',
        'POST /api/v1/invoices/{id}/void voidInvoice',
        'POST /api/v1/invoices/{id}/mark-uncollectible markInvoiceUncollectible',
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
    expect(Object.keys(create.responses).sort()).toEqual(['201', '400', '401', '409', '413', '415', '422', '429']);
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
    expect(Object.keys(replay.responses).sort()).toEqual(['200', '400', '401', '404', '409', '413', '415', '422', '429', '503']);
    const discard = doc.paths['/api/v1/dead-letters/{id}/discard'].post;
    expect(discard.requestBody).toMatchObject({ required: true, content: { 'application/json': { schema: { required: ['reason'], additionalProperties: false } } } });
    expect(discard.requestBody.content['application/json'].schema.properties.reason).toMatchObject({ type: 'string', minLength: 3, maxLength: 500 });
    for (const path of Object.keys(doc.paths)) for (const op of Object.values(doc.paths[path]) as Array<{ security: unknown }>) expect(op.security).toEqual([{ bearerAuth: [] }]);
  });

  it('describes the invoice routes: strict bodies without computed fields, integer money, filters, error answers', async () => {
    const doc = (await request(ctx.app).get('/api/v1/openapi.json')).body;
    const create = doc.paths['/api/v1/invoices'].post;
    const body = create.requestBody.content['application/json'].schema;
    expect(body).toMatchObject({ type: 'object', additionalProperties: false, required: ['customer_id', 'currency'] });
    expect(Object.keys(body.properties)).toEqual(['customer_id', 'currency', 'collection_method', 'due_date', 'description', 'lines']);
    expect(body.properties.currency).toMatchObject({ type: 'string', pattern: '^\\s*[A-Za-z]{3}\\s*$' });
    expect(body.properties.collection_method).toMatchObject({ enum: ['charge_automatically', 'send_invoice'], default: 'charge_automatically' });
    const line = body.properties.lines.items;
    expect(line).toMatchObject({ type: 'object', additionalProperties: false, required: ['description', 'quantity', 'unit_amount'] });
    expect(line.properties.unit_amount).toMatchObject({ type: 'integer', minimum: 0, maximum: 99999999 });
    expect(line.properties.quantity).toMatchObject({ type: 'integer', minimum: 1, maximum: 1000000 });
    expect(body.properties.lines).toMatchObject({ type: 'array', maxItems: 250 });
    expect(Object.keys(create.responses).sort()).toEqual(['201', '400', '401', '413', '415', '422', '429']);
    const put = doc.paths['/api/v1/invoices/{id}'].put.requestBody.content['application/json'].schema;
    expect(Object.keys(put.properties)).toEqual(['currency', 'collection_method', 'due_date', 'description', 'lines', 'version']);
    const patch = doc.paths['/api/v1/invoices/{id}'].patch.requestBody.content['application/json'].schema;
    expect(patch.anyOf).toEqual(['currency', 'collection_method', 'due_date', 'description', 'lines'].map((f) => ({ required: [f] })));
    for (const action of ['finalize', 'void', 'mark-uncollectible']) {
      const op = doc.paths[`/api/v1/invoices/{id}/${action}`].post;
      expect(op.requestBody).toMatchObject({ required: false, content: { 'application/json': { schema: { additionalProperties: false } } } });
      expect(Object.keys(op.responses).sort()).toEqual(['200', '400', '401', '404', '409', '412', '413', '415', '422', '429']);
    }
    const list = doc.paths['/api/v1/invoices'].get;
    expect(list.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(['query:skip', 'query:limit', 'query:customer_id', 'query:status']);
    expect(doc.paths['/api/v1/customers/{id}/invoices'].get.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(['path:id', 'query:skip', 'query:limit', 'query:status']);
    const invoice = doc.paths['/api/v1/invoices/{id}'].get.responses['200'].content['application/json'].schema;
    for (const money of ['amount_due', 'amount_paid', 'amount_remaining']) expect(invoice.properties[money]).toMatchObject({ type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
  });

  it('answers the invoice routes with exactly the fields their documented response schemas hold', async () => {
    await resetDatabase();
    const api = () => request(ctx.app);
    const doc = (await api().get('/api/v1/openapi.json')).body;
    const schemaOf = (path: string, method: string, status: string) => doc.paths[path][method].responses[status].content['application/json'].schema;
    const sameKeys = (body: Record<string, unknown>, schema: { properties: Record<string, unknown>; required: string[] }) => {
      expect(Object.keys(body).sort()).toEqual(Object.keys(schema.properties).sort());
      expect([...schema.required].sort()).toEqual(Object.keys(body).sort());
    };
    const customer = (await api().post('/api/v1/customers').send({ name: 'Ada', email: 'ada@x.io' })).body.id;
    const created = await api().post('/api/v1/invoices').send({ customer_id: customer, currency: 'eur', lines: [{ description: 'x', quantity: 2, unit_amount: 5 }] });
    const withLines = schemaOf('/api/v1/invoices', 'post', '201');
    sameKeys(created.body, withLines);
    sameKeys(created.body.lines[0], withLines.properties.lines.items);
    invoiceWithLinesResponse.parse(created.body);
    const finalized = await api().post(`/api/v1/invoices/${created.body.id}/finalize`);
    sameKeys(finalized.body, schemaOf('/api/v1/invoices/{id}/finalize', 'post', '200'));
    const got = await api().get(`/api/v1/invoices/${created.body.id}`);
    sameKeys(got.body, schemaOf('/api/v1/invoices/{id}', 'get', '200'));
    invoiceDetailResponse.parse(got.body);
    const listed = await api().get('/api/v1/invoices');
    sameKeys(listed.body[0], schemaOf('/api/v1/invoices', 'get', '200').items);
    invoiceResponse.parse(listed.body[0]);
    const refused = await api().post(`/api/v1/invoices/${created.body.id}/finalize`);
    expect(refused.status).toBe(409);
    sameKeys(refused.body, schemaOf('/api/v1/invoices/{id}/finalize', 'post', '409'));
  });

  it('serves Swagger UI at /docs without fetching anything from the internet', async () => {
    const res = await request(ctx.app).get('/docs/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('swagger-ui');
    expect(res.text).not.toMatch(/https?:\/\/(unpkg|cdn|cdnjs)/);
  });
});
