import request from 'supertest';
import { customerEventMessage, invoiceEventMessage } from '@cs/kafka-schemas';
import { query, resetDatabase } from '../../../test/support/db';
import { digestName } from './api-keys';
import { testApp } from './test-app';

const NAMED = { name: 'billing-ui', token: 'billing-ui-token-0123456789' };
const BARE = 'bare-token-0123456789abcdef';

let keyed: Awaited<ReturnType<typeof testApp>>;
let open: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  keyed = await testApp({ apiKeys: [NAMED, BARE] });
  open = await testApp();
});
afterAll(async () => {
  await keyed.close();
  await open.close();
});
beforeEach(() => resetDatabase());

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** One call as the given token (none: the open app), failing loudly when the API refuses it. */
async function call(token: string | null, method: Method, path: string, body?: object): Promise<request.Response> {
  const app = token === null ? open.app : keyed.app;
  let req = request(app)[method](path);
  if (token !== null) req = req.set('Authorization', `Bearer ${token}`);
  const res = await (body === undefined ? req : req.send(body));
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

const lines = [{ description: 'Seats', quantity: 3, unit_amount: 1250 }];
type OutboxRow = { entity_type: 'customer' | 'invoice'; event_type: string; envelope: Record<string, unknown> };
const outbox = () => query<OutboxRow>('select entity_type, event_type, envelope from outbox order by id');
/** Each row's envelope as a consumer reads it: through the topic's message schema. */
const parsed = (rows: OutboxRow[]) => rows.map((r) => (r.entity_type === 'customer' ? customerEventMessage : invoiceEventMessage).parse(r.envelope));

describe('who changed it: the API key on every change', () => {
  it("puts the key's name on the envelope of every change it makes, customers and invoices, and never the key", async () => {
    const as = (method: Method, path: string, body?: object) => call(NAMED.token, method, path, body);
    const ada = (await as('post', '/api/v1/customers', { name: 'Ada', email: 'ada@x.io' })).body.id as number;
    await as('patch', `/api/v1/customers/${ada}`, { name: 'Ada L' });
    await as('put', `/api/v1/customers/${ada}`, { name: 'Ada Lovelace', email: 'ada@x.io' });
    const paid = (await as('post', '/api/v1/invoices', { customer_id: ada, currency: 'EUR', lines })).body.id as number;
    await as('patch', `/api/v1/invoices/${paid}`, { description: 'March' });
    await as('post', `/api/v1/invoices/${paid}/finalize`);
    await as('post', `/api/v1/invoices/${paid}/void`);
    const owed = (await as('post', '/api/v1/invoices', { customer_id: ada, currency: 'EUR', lines })).body.id as number;
    await as('post', `/api/v1/invoices/${owed}/finalize`);
    await as('post', `/api/v1/invoices/${owed}/mark-uncollectible`);
    const dropped = (await as('post', '/api/v1/invoices', { customer_id: ada, currency: 'EUR', lines })).body.id as number;
    await as('delete', `/api/v1/invoices/${dropped}`);
    // A customer deleted with a draft: the draft goes with it, both by the same key.
    const grace = (await as('post', '/api/v1/customers', { name: 'Grace', email: 'grace@x.io' })).body.id as number;
    await as('post', '/api/v1/invoices', { customer_id: grace, currency: 'EUR', lines });
    await as('delete', `/api/v1/customers/${grace}`);

    const rows = await outbox();
    expect(rows.map((r) => r.event_type)).toEqual([
      'customer.created',
      'customer.updated',
      'customer.updated',
      'invoice.created',
      'invoice.updated',
      'invoice.finalized',
      'invoice.voided',
      'invoice.created',
      'invoice.finalized',
      'invoice.marked_uncollectible',
      'invoice.created',
      'invoice.deleted',
      'customer.created',
      'invoice.created',
      'invoice.deleted',
      'customer.deleted',
    ]);
    expect(parsed(rows).map((m) => m.actor)).toEqual(rows.map(() => 'billing-ui'));
    expect(JSON.stringify(rows)).not.toContain(NAMED.token);
  });

  it('names a bare token (the form from before names) by its digest', async () => {
    await call(BARE, 'post', '/api/v1/customers', { name: 'Ada', email: 'ada@x.io' });
    const rows = await outbox();
    expect(parsed(rows).map((m) => m.actor)).toEqual([digestName(BARE)]);
    expect(digestName(BARE)).toMatch(/^key-[0-9a-f]{8}$/);
    expect(JSON.stringify(rows)).not.toContain(BARE);
  });

  it("leaves the actor out when the API runs open: there is no key to name", async () => {
    const id = (await call(null, 'post', '/api/v1/customers', { name: 'Ada', email: 'ada@x.io' })).body.id as number;
    await call(null, 'post', '/api/v1/invoices', { customer_id: id, currency: 'EUR', lines });
    const rows = await outbox();
    for (const r of rows) expect(r.envelope).not.toHaveProperty('actor');
    expect(parsed(rows).map((m) => m.actor)).toEqual([undefined, undefined]);
  });

  it("records the key that resolved a dead letter on the audit row", async () => {
    const envelope = { id: '00000000-0000-4000-8000-000000000001', type: 'customer.created', idempotency_key: 'customer:1:v1', occurred_at: '2026-12-01T00:00:00.000Z', origin: 'internal', trace_id: 't', payload: { customer_id: 1, version: 1 } };
    const [parked] = await query<{ id: number }>(
      `insert into dead_letters (source_topic, message_key, external_system, reason, error_code, attempts, envelope, status, trace_id)
       values ('customer.events', '1', 'stripe', 'rejected', 'email_invalid', 1, $1::jsonb, 'parked', 't') returning id`,
      [JSON.stringify(envelope)],
    );
    await call(NAMED.token, 'post', `/api/v1/dead-letters/${parked!.id}/discard`, { reason: 'a test customer' });
    expect(await query(`select event_type, actor from sync_events`)).toEqual([{ event_type: 'dead_letter.discarded', actor: 'billing-ui' }]);
  });
});
