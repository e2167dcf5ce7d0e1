import request from 'supertest';
import { query, resetDatabase } from '../../../test/support/db';
import { testApp } from './test-app';

let ctx: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  ctx = await testApp();
});
afterAll(() => ctx.close());
beforeEach(() => resetDatabase());

const list = (q: Record<string, string | number> = {}) => request(ctx.app).get('/api/v1/sync-events').query(q);

interface Seed {
  customer?: number;
  system?: string | null;
  status?: string;
  direction?: 'inbound' | 'outbound';
  type?: string;
  payload?: unknown;
  error?: string | null;
  at?: string;
  actor?: string | null;
}

async function seed(e: Seed = {}): Promise<number> {
  const [row] = await query<{ id: number }>(
    `insert into sync_events (event_id, event_type, entity_type, entity_id, external_system, status, payload, error_message, retry_count, created_at, processed_at, direction, trace_id, actor)
     values (gen_random_uuid(), $1, 'customer', $2, $3, $4, $5::jsonb, $6, 0, coalesce($7::timestamptz, now()), now(), $8, 'trace-1', $9) returning id`,
    [e.type ?? 'customer.created', e.customer ?? 1, e.system === undefined ? 'stripe' : e.system, e.status ?? 'success', JSON.stringify(e.payload ?? { a: 1 }), e.error ?? null, e.at ?? null, e.direction ?? 'outbound', e.actor ?? null],
  );
  return row!.id;
}
const ids = (res: request.Response) => (res.body.data as Array<{ id: number }>).map((e) => e.id);

describe('GET /api/v1/sync-events', () => {
  it('lists newest first, every field snake_case as stored', async () => {
    const first = await seed({ customer: 7, payload: { action: 'create', external_id: 'cus_1' }, actor: 'ci-bot' });
    const second = await seed({ customer: 7, status: 'failed', error: 'boom', direction: 'inbound', type: 'customer.updated' });
    const res = await list();
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual([second, first]);
    expect(res.body.next_before_id).toBeNull();
    expect(res.body.data[1]).toEqual({
      id: first,
      event_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      event_type: 'customer.created',
      entity_type: 'customer',
      entity_id: 7,
      external_system: 'stripe',
      status: 'success',
      payload: { action: 'create', external_id: 'cus_1' },
      error_message: null,
      retry_count: 0,
      created_at: expect.stringMatching(/Z$/),
      processed_at: expect.stringMatching(/Z$/),
      direction: 'outbound',
      trace_id: 'trace-1',
      actor: 'ci-bot',
    });
    expect(res.body.data[0]).toMatchObject({ status: 'failed', error_message: 'boom', direction: 'inbound', event_type: 'customer.updated', actor: null });
  });

  it('filters by customer, system, status and direction, alone and together', async () => {
    const a = await seed({ customer: 1, system: 'stripe', status: 'success', direction: 'outbound' });
    const b = await seed({ customer: 1, system: 'salesforce', status: 'failed', direction: 'outbound' });
    const c = await seed({ customer: 2, system: 'stripe', status: 'failed', direction: 'inbound' });
    const d = await seed({ customer: 2, system: null, status: 'parked', direction: 'inbound' });
    expect(ids(await list({ customer_id: 1 }))).toEqual([b, a]);
    expect(ids(await list({ system: 'stripe' }))).toEqual([c, a]);
    expect(ids(await list({ status: 'failed' }))).toEqual([c, b]);
    expect(ids(await list({ direction: 'inbound' }))).toEqual([d, c]);
    expect(ids(await list({ customer_id: 2, status: 'failed', system: 'stripe', direction: 'inbound' }))).toEqual([c]);
    expect(ids(await list({ customer_id: 3 }))).toEqual([]);
  });

  it('filters by time: from inclusive, to exclusive', async () => {
    const early = await seed({ at: '2026-01-01T10:00:00Z' });
    const mid = await seed({ at: '2026-01-01T11:00:00Z' });
    const late = await seed({ at: '2026-01-01T12:00:00Z' });
    expect(ids(await list({ from: '2026-01-01T11:00:00Z' }))).toEqual([late, mid]);
    expect(ids(await list({ to: '2026-01-01T11:00:00Z' }))).toEqual([early]);
    expect(ids(await list({ from: '2026-01-01T10:30:00Z', to: '2026-01-01T12:00:00Z' }))).toEqual([mid]);
    expect(ids(await list({ from: '2026-01-01T12:30:00+02:00' }))).toEqual([late, mid]); // 10:30Z
  });

  it('reads a short window by time, still newest id first, with a row whose transaction began earlier than it committed', async () => {
    const before = await seed({ at: '2026-01-01T09:00:00Z' });
    const a = await seed({ at: '2026-01-01T10:10:00Z' });
    const b = await seed({ at: '2026-01-01T10:50:00Z' });
    const late = await seed({ at: '2026-01-01T10:20:00Z' }); // a higher id with an earlier time, as a long transaction leaves it
    await seed({ at: '2026-01-01T11:30:00Z' });
    const day = { from: '2026-01-01T10:00:00Z', to: '2026-01-01T11:00:00Z' };
    expect(ids(await list(day))).toEqual([late, b, a]);
    const p1 = await list({ ...day, limit: 2 });
    expect(ids(p1)).toEqual([late, b]);
    expect(ids(await list({ ...day, limit: 2, before_id: p1.body.next_before_id }))).toEqual([a]);
    expect(ids(await list({ ...day, status: 'success', system: 'stripe', direction: 'outbound' }))).toEqual([late, b, a]);
    // Hours apart: the newest id may be in an earlier hour.
    const latest = await seed({ at: '2026-01-01T09:30:00Z' });
    expect(ids(await list({ from: '2026-01-01T09:00:00Z', to: '2026-01-01T11:00:00Z', limit: 3 }))).toEqual([latest, late, b]);
    expect(ids(await list({ from: '2026-01-01T00:00:00Z', to: '2026-01-03T00:00:00Z' }))).toEqual([latest, late + 1, late, b, a, before]);
    // A window longer than a week is read by id: the same answer.
    expect(ids(await list({ from: '2025-12-20T00:00:00Z', to: '2026-01-03T00:00:00Z' }))).toEqual([latest, late + 1, late, b, a, before]);
  });

  it('pages by id with before_id, stable while new rows arrive', async () => {
    const made: number[] = [];
    for (let i = 0; i < 5; i++) made.push(await seed({ customer: i + 1 }));
    const p1 = await list({ limit: 2 });
    expect(ids(p1)).toEqual([made[4], made[3]]);
    expect(p1.body.next_before_id).toBe(made[3]);
    await seed({ customer: 99 }); // a newer row must not shift the pages that follow
    const p2 = await list({ limit: 2, before_id: p1.body.next_before_id });
    expect(ids(p2)).toEqual([made[2], made[1]]);
    const p3 = await list({ limit: 2, before_id: p2.body.next_before_id });
    expect(ids(p3)).toEqual([made[0]]);
    expect(p3.body.next_before_id).toBeNull();
    // exactly `limit` rows left: the last full page says there is nothing more
    const exact = await list({ limit: 3, before_id: made[3]! });
    expect(ids(exact)).toEqual([made[2], made[1], made[0]]);
    expect(exact.body.next_before_id).toBeNull();
  });

  it('defaults to 50 rows and allows up to 500', async () => {
    await query(`insert into sync_events (event_id, event_type, entity_type, entity_id, status) select gen_random_uuid(), 'customer.created', 'customer', g, 'success' from generate_series(1, 60) g`);
    const res = await list();
    expect(res.body.data).toHaveLength(50);
    expect(res.body.next_before_id).toBe(res.body.data[49].id);
    expect((await list({ limit: 500 })).body.data).toHaveLength(60);
  });

  it('redacts secret-looking keys in payloads', async () => {
    await seed({ payload: { action: 'create', api_key: 'sk_live_x', nested: { Password: 'p', list: [{ access_token: 't', ok: true }] }, card: { last4: '4242' } } });
    const [e] = (await list()).body.data;
    expect(e.payload).toEqual({ action: 'create', api_key: '[redacted]', nested: { Password: '[redacted]', list: [{ access_token: '[redacted]', ok: true }] }, card: '[redacted]' });
  });

  it.each<[string, Record<string, string>]>([
    ['limit 0', { limit: '0' }],
    ['limit 501', { limit: '501' }],
    ['limit not a number', { limit: 'ten' }],
    ['before_id 0', { before_id: '0' }],
    ['unknown status', { status: 'exploded' }],
    ['unknown direction', { direction: 'sideways' }],
    ['customer_id not an id', { customer_id: 'abc' }],
    ['system not a name', { system: 'Stripe; drop table' }],
    ['from without a zone', { from: '2026-01-01T10:00:00' }],
    ['to not a date', { to: 'yesterday' }],
    ['from after to', { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }],
    ['unknown parameter', { sort: 'id' }],
  ])('refuses %s with 422', async (_name, q) => {
    const res = await list(q);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
  });
});

describe('GET /api/v1/sync-events with API keys', () => {
  const KEY = 'ops-key-0123456789abcdef';
  let secured: Awaited<ReturnType<typeof testApp>>;
  beforeAll(async () => {
    secured = await testApp({ apiKeys: [KEY] });
  });
  afterAll(() => secured.close());

  it('needs the bearer key', async () => {
    expect((await request(secured.app).get('/api/v1/sync-events')).status).toBe(401);
    expect((await request(secured.app).get('/api/v1/sync-events').set('Authorization', `Bearer ${KEY}`)).status).toBe(200);
  });
});
