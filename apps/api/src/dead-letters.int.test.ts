import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import request from 'supertest';
import { createKafka, createProducer, topics } from '@cs/kafka-schemas';
import { query, resetDatabase } from '../../../test/support/db';
import { collect } from '../../../test/support/kafka';
import { kafkaRepublish } from './kafka-republish';
import { testApp } from './test-app';

const names = topics(process.env.KAFKA_TOPIC_PREFIX);
let producer: Producer;
let ctx: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  producer = createProducer(createKafka({ brokers: process.env.KAFKA_BROKERS!.split(','), clientId: 'api-dead-letters-test' }));
  ctx = await testApp({ republish: kafkaRepublish(producer) });
});
afterAll(async () => {
  await ctx.close();
  await producer.disconnect();
});
beforeEach(() => resetDatabase());

const api = () => request(ctx.app);

function customerEnvelope(customerId: number, extra: Record<string, unknown> = {}) {
  return {
    id: randomUUID(),
    type: 'customer.created',
    idempotency_key: `customer:${customerId}:v1`,
    occurred_at: new Date().toISOString(),
    origin: 'internal',
    trace_id: `trace-${randomUUID()}`,
    payload: { customer_id: customerId, version: 1, snapshot: { name: 'Ada', email: 'ada@rejected.test', deleted: false }, ...extra },
  };
}

interface Park {
  topic?: string;
  key?: string;
  system?: string | null;
  envelope?: unknown;
  status?: string;
  reason?: string;
}
async function park(p: Park = {}): Promise<number> {
  const [row] = await query<{ id: number }>(
    `insert into dead_letters (source_topic, message_key, external_system, reason, error_code, attempts, envelope, status, trace_id)
     values ($1, $2, $3, $4, 'email_invalid', 1, $5::jsonb, $6, 'trace-dl') returning id`,
    [p.topic ?? names.customerEvents, p.key ?? '1', p.system === undefined ? 'stripe' : p.system, p.reason ?? 'Invalid email address: ada@rejected.test', JSON.stringify(p.envelope ?? customerEnvelope(1)), p.status ?? 'parked'],
  );
  return row!.id;
}
const statusOf = async (id: number) => (await query<{ status: string; resolution_note: string | null }>('select status, resolution_note from dead_letters where id = $1', [id]))[0];

describe('GET /api/v1/dead-letters', () => {
  it('lists parked messages newest first by default, with the error and the message', async () => {
    const older = await park({ key: '1' });
    const newer = await park({ key: '2', envelope: customerEnvelope(2) });
    await park({ status: 'replayed' });
    const res = await api().get('/api/v1/dead-letters');
    expect(res.status).toBe(200);
    expect(res.body.has_more).toBe(false);
    expect(res.body.data.map((d: { id: number }) => d.id)).toEqual([newer, older]);
    expect(res.body.data[1]).toEqual({
      id: older,
      source_topic: names.customerEvents,
      message_key: '1',
      external_system: 'stripe',
      reason: 'Invalid email address: ada@rejected.test',
      error_code: 'email_invalid',
      attempts: 1,
      envelope: expect.objectContaining({ type: 'customer.created', payload: expect.objectContaining({ customer_id: 1 }) }),
      status: 'parked',
      trace_id: 'trace-dl',
      created_at: expect.any(String),
      resolved_at: null,
      resolution_note: null,
    });
  });

  it('filters by status and system, and pages with skip and limit', async () => {
    const a = await park({ system: 'stripe' });
    const b = await park({ system: 'salesforce' });
    const c = await park({ system: 'stripe' });
    const gone = await park({ status: 'discarded' });
    const ids = async (q: Record<string, string | number>) => {
      const res = await api().get('/api/v1/dead-letters').query(q);
      return { ids: res.body.data.map((d: { id: number }) => d.id), more: res.body.has_more };
    };
    expect(await ids({ system: 'stripe' })).toEqual({ ids: [c, a], more: false });
    expect(await ids({ status: 'discarded' })).toEqual({ ids: [gone], more: false });
    expect(await ids({ limit: 2 })).toEqual({ ids: [c, b], more: true });
    expect(await ids({ limit: 2, skip: 2 })).toEqual({ ids: [a], more: false });
  });

  it.each([{ status: 'lost' }, { limit: '0' }, { limit: '501' }, { skip: '-1' }, { system: 'Not A System' }, { order: 'asc' }])('refuses %o with 422', async (q) => {
    expect((await api().get('/api/v1/dead-letters').query(q)).status).toBe(422);
  });

  it('redacts secrets in the message it shows', async () => {
    const id = await park({ envelope: { type: 'external.event', payload: { event: { data: { object: { id: 'cus_1', api_key: 'sk_live_x', default_source: { card: { number: '4242' } } } } } }, headers: { Authorization: 'Bearer x' } } });
    const res = await api().get(`/api/v1/dead-letters/${id}`);
    expect(res.body.envelope).toEqual({
      type: 'external.event',
      payload: { event: { data: { object: { id: 'cus_1', api_key: '[redacted]', default_source: { card: '[redacted]' } } } } },
      headers: { Authorization: '[redacted]' },
    });
    const [listed] = (await api().get('/api/v1/dead-letters')).body.data;
    expect(JSON.stringify(listed)).not.toContain('sk_live_x');
  });
});

describe('GET /api/v1/dead-letters/{id}', () => {
  it('returns one, 404 for an unknown id, 422 for a bad one', async () => {
    const id = await park();
    expect((await api().get(`/api/v1/dead-letters/${id}`)).body).toMatchObject({ id, status: 'parked' });
    const missing = await api().get('/api/v1/dead-letters/999');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('dead_letter_not_found');
    expect((await api().get('/api/v1/dead-letters/x1')).status).toBe(422);
  });
});

describe('POST /api/v1/dead-letters/{id}/replay', () => {
  it('puts the original (unredacted) message back on its topic, marks it replayed and leaves an audit row', async () => {
    const envelope = customerEnvelope(41, { api_token: 'kept-in-kafka' });
    const id = await park({ key: '41', envelope });
    const seen = await collect(names.customerEvents, (m) => (m.value as { id?: string }).id === envelope.id);
    try {
      const res = await api().post(`/api/v1/dead-letters/${id}/replay`); // no body at all: allowed
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, status: 'replayed' });
      expect(res.body.envelope.payload.api_token).toBe('[redacted]');
      const [message] = await seen.waitFor(1);
      expect(message!.key).toBe('41');
      // For the system it failed for only, under a key of its own (so Stripe makes a fresh call).
      const replayKey = `${envelope.idempotency_key}:replay:${id}`;
      expect(message!.value).toEqual({ ...envelope, idempotency_key: replayKey, target_system: 'stripe' });
      expect(message!.headers).toMatchObject({ 'trace-id': envelope.trace_id, type: 'customer.created', 'idempotency-key': replayKey });
    } finally {
      await seen.stop();
    }
    expect(await statusOf(id)).toMatchObject({ status: 'replayed', resolution_note: expect.stringContaining('replayed via the API') });
    const audit = await query(`select event_type, status, entity_id, payload from sync_events where event_type = 'dead_letter.replayed'`);
    expect(audit).toEqual([{ event_type: 'dead_letter.replayed', status: 'pending', entity_id: 41, payload: { dead_letter_id: id, note: expect.any(String) } }]);
  });

  it('keeps the note given, and refuses a second replay with 409', async () => {
    const id = await park();
    const res = await api().post(`/api/v1/dead-letters/${id}/replay`).send({ note: 'email rule fixed' });
    expect(res.status).toBe(200);
    expect(res.body.resolution_note).toBe('email rule fixed');
    const again = await api().post(`/api/v1/dead-letters/${id}/replay`);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'dead_letter_resolved', details: { status: 'replayed' } });
  });

  it('409 for a message that cannot be replayed (it never parsed): discard it instead', async () => {
    const id = await park({ envelope: { raw: 'not json {' } });
    const res = await api().post(`/api/v1/dead-letters/${id}/replay`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('dead_letter_not_replayable');
    expect(await statusOf(id)).toMatchObject({ status: 'parked' });
  });

  it('503 when Kafka refuses the message, and the dead letter stays parked', async () => {
    const down = await testApp({ republish: () => Promise.reject(new Error('KafkaJSConnectionError: broker down')) });
    try {
      const id = await park();
      const res = await request(down.app).post(`/api/v1/dead-letters/${id}/replay`);
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('kafka_unavailable');
      expect(JSON.stringify(res.body)).not.toContain('broker down');
      expect(await statusOf(id)).toMatchObject({ status: 'parked', resolution_note: null });
      expect(await query(`select 1 from sync_events`)).toHaveLength(0);
    } finally {
      await down.close();
    }
  });

  it.each<[string, (t: request.Test) => request.Test, number]>([
    ['an unknown field', (t) => t.send({ note: 'x', force: true }), 422],
    ['an empty note', (t) => t.send({ note: '   ' }), 422],
    ['a note over 500 characters', (t) => t.send({ note: 'x'.repeat(501) }), 422],
    ['a body that is not JSON', (t) => t.set('Content-Type', 'text/plain').send('replay please'), 415],
    ['malformed JSON', (t) => t.set('Content-Type', 'application/json').send('{"note":'), 400],
  ])('refuses %s (%#) and changes nothing', async (_name, send, status) => {
    const id = await park();
    expect((await send(api().post(`/api/v1/dead-letters/${id}/replay`))).status).toBe(status);
    expect(await statusOf(id)).toMatchObject({ status: 'parked' });
  });

  it('404 for an unknown id', async () => {
    const res = await api().post('/api/v1/dead-letters/999/replay');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('dead_letter_not_found');
  });
});

describe('POST /api/v1/dead-letters/{id}/discard', () => {
  it('marks it discarded with the reason, leaves an audit row, and refuses to discard or replay it again', async () => {
    const id = await park({ key: '5', envelope: customerEnvelope(5) });
    const res = await api().post(`/api/v1/dead-letters/${id}/discard`).send({ reason: '  customer asked to be forgotten  ' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, status: 'discarded', resolution_note: 'customer asked to be forgotten' });
    expect(await statusOf(id)).toMatchObject({ status: 'discarded', resolution_note: 'customer asked to be forgotten' });
    expect(await query(`select event_type, status, entity_id from sync_events`)).toEqual([{ event_type: 'dead_letter.discarded', status: 'skipped', entity_id: 5 }]);
    expect((await api().post(`/api/v1/dead-letters/${id}/discard`).send({ reason: 'again' })).status).toBe(409);
    expect((await api().post(`/api/v1/dead-letters/${id}/replay`)).status).toBe(409);
  });

  it.each<[string, (t: request.Test) => request.Test, number]>([
    ['no body', (t) => t, 415],
    ['an empty body', (t) => t.send({}), 422],
    ['a reason under 3 characters', (t) => t.send({ reason: ' no ' }), 422],
    ['a reason over 500 characters', (t) => t.send({ reason: 'x'.repeat(501) }), 422],
    ['a reason that is not a string', (t) => t.send({ reason: 42 }), 422],
    ['an unknown field', (t) => t.send({ reason: 'duplicate', by: 'me' }), 422],
  ])('refuses %s and changes nothing', async (_name, send, status) => {
    const id = await park();
    expect((await send(api().post(`/api/v1/dead-letters/${id}/discard`))).status).toBe(status);
    expect(await statusOf(id)).toMatchObject({ status: 'parked' });
  });

  it('404 for an unknown id', async () => {
    expect((await api().post('/api/v1/dead-letters/999/discard').send({ reason: 'nothing here' })).status).toBe(404);
  });
});

describe('dead-letter routes with API keys', () => {
  const KEY = 'ops-key-0123456789abcdef';
  let secured: Awaited<ReturnType<typeof testApp>>;
  beforeAll(async () => {
    secured = await testApp({ apiKeys: [KEY] });
  });
  afterAll(() => secured.close());

  it.each<[string, string]>([
    ['get', '/api/v1/dead-letters'],
    ['get', '/api/v1/dead-letters/1'],
    ['post', '/api/v1/dead-letters/1/replay'],
    ['post', '/api/v1/dead-letters/1/discard'],
  ])('%s %s without the key → 401, and nothing changes', async (method, path) => {
    const id = await park();
    expect(id).toBe(1);
    const req = request(secured.app) as unknown as Record<string, (p: string) => request.Test>;
    const res = await req[method]!(path).send({ reason: 'no key given' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    expect(await statusOf(id)).toMatchObject({ status: 'parked' });
    expect((await request(secured.app).get(path.replace(/\/(replay|discard)$/, '')).set('Authorization', `Bearer ${KEY}`)).status).toBe(200);
  });
});
