import request from 'supertest';
import { query, resetDatabase } from '../../../test/support/db';
import { testApp } from './test-app';

let ctx: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  ctx = await testApp();
});
afterAll(() => ctx.close());
beforeEach(() => resetDatabase());

const analytics = (q: Record<string, string> = {}) => request(ctx.app).get('/api/v1/sync/analytics').query(q);

interface Seed {
  at: string;
  system?: string;
  catalog?: string;
  direction?: 'inbound' | 'outbound';
  status?: string;
  /** Time-to-sync: source_at is this long before processed_at (= created_at). */
  latencyMs?: number;
  code?: string;
}

async function seed(...rows: Seed[]): Promise<void> {
  for (const e of rows) {
    await query(
      `insert into sync_events (event_id, event_type, entity_type, entity_id, external_system, status, payload, created_at, processed_at, direction, source_at)
       values (gen_random_uuid(), 'customer.updated', $1, 1, $2, $3, $4::jsonb, $5::timestamptz, $5::timestamptz, $6, $5::timestamptz - make_interval(secs => $7::float8 / 1000))`,
      [e.catalog ?? 'customer', e.system ?? 'stripe', e.status ?? 'success', JSON.stringify(e.code ? { code: e.code } : {}), e.at, e.direction ?? 'outbound', e.latencyMs ?? null],
    );
  }
}

const WINDOW = { from: '2026-12-01T10:00:00Z', to: '2026-12-01T12:00:00Z', bucket: '1h' };

/** Stripe outbound at 10:xx (4 successes 100–400 ms, a failure, a skip), Salesforce inbound at 11:xx, one invoice, and rows that do not count. */
async function seedKnownDay() {
  await seed(
    ...[100, 200, 300, 400].map((latencyMs, i) => ({ at: `2026-12-01T10:0${i}:00Z`, latencyMs })),
    { at: '2026-12-01T10:10:00Z', status: 'retrying', code: 'server_error' },
    { at: '2026-12-01T10:20:00Z', status: 'skipped' },
    { at: '2026-12-01T11:00:00Z', system: 'salesforce', direction: 'inbound', latencyMs: 1000 },
    { at: '2026-12-01T11:05:00Z', system: 'salesforce', direction: 'inbound', status: 'conflict' },
    { at: '2026-12-01T11:10:00Z', system: 'salesforce', direction: 'inbound', status: 'parked', code: 'invalid_message' },
    { at: '2026-12-01T11:30:00Z', catalog: 'invoice', latencyMs: 50 },
    // Not counted: a create marker (not an outcome), and rows outside the window (to is exclusive).
    { at: '2026-12-01T10:30:00Z', status: 'pending' },
    { at: '2026-12-01T09:59:59Z', latencyMs: 5 },
    { at: '2026-12-01T12:00:00Z', latencyMs: 5 },
  );
}

const zero = { syncs: 0, success: 0, failed: 0, skipped: 0, success_rate: null, p50_ms: null, p95_ms: null, p99_ms: null };

describe('GET /api/v1/sync/analytics', () => {
  it('counts, rates and time-to-sync percentiles per series and bucket, with totals and the error breakdown', async () => {
    await seedKnownDay();
    const res = await analytics(WINDOW);
    expect(res.status).toBe(200);
    expect(res.body.from).toBe('2026-12-01T10:00:00.000Z');
    expect(res.body.to).toBe('2026-12-01T12:00:00.000Z');
    expect(res.body.bucket).toBe('1h');
    expect(res.body.totals).toEqual({
      syncs: 10,
      success: 6,
      failed: 3,
      skipped: 1,
      success_rate: 6 / 9,
      // percentile_cont over 50, 100, 200, 300, 400, 1000 ms
      p50_ms: 250,
      p95_ms: 850,
      p99_ms: 970,
      by_direction: [
        { direction: 'inbound', syncs: 3, success: 1, failed: 2, skipped: 0, success_rate: 1 / 3, p50_ms: 1000, p95_ms: 1000, p99_ms: 1000 },
        { direction: 'outbound', syncs: 7, success: 5, failed: 1, skipped: 1, success_rate: 5 / 6, p50_ms: 200, p95_ms: 380, p99_ms: 396 },
      ],
    });
    expect(res.body.series).toEqual([
      {
        system: 'salesforce',
        catalog: 'customer',
        direction: 'inbound',
        buckets: [
          { start: '2026-12-01T10:00:00.000Z', ...zero },
          { start: '2026-12-01T11:00:00.000Z', syncs: 3, success: 1, failed: 2, skipped: 0, success_rate: 1 / 3, p50_ms: 1000, p95_ms: 1000, p99_ms: 1000 },
        ],
      },
      {
        system: 'stripe',
        catalog: 'customer',
        direction: 'outbound',
        buckets: [
          { start: '2026-12-01T10:00:00.000Z', syncs: 6, success: 4, failed: 1, skipped: 1, success_rate: 0.8, p50_ms: 250, p95_ms: 385, p99_ms: 397 },
          { start: '2026-12-01T11:00:00.000Z', ...zero },
        ],
      },
      {
        system: 'stripe',
        catalog: 'invoice',
        direction: 'outbound',
        buckets: [
          { start: '2026-12-01T10:00:00.000Z', ...zero },
          { start: '2026-12-01T11:00:00.000Z', syncs: 1, success: 1, failed: 0, skipped: 0, success_rate: 1, p50_ms: 50, p95_ms: 50, p99_ms: 50 },
        ],
      },
    ]);
    // A conflict has no code of its own: its status is the code.
    expect(res.body.errors).toEqual([
      { system: 'salesforce', catalog: 'customer', code: 'conflict', count: 1 },
      { system: 'salesforce', catalog: 'customer', code: 'invalid_message', count: 1 },
      { system: 'stripe', catalog: 'customer', code: 'server_error', count: 1 },
    ]);
  });

  it('filters by system and by catalog', async () => {
    await seedKnownDay();
    const sf = await analytics({ ...WINDOW, system: 'salesforce' });
    expect(sf.status).toBe(200);
    expect(sf.body.totals).toMatchObject({ syncs: 3, success: 1, failed: 2 });
    expect(sf.body.series.map((s: { system: string }) => s.system)).toEqual(['salesforce']);
    expect(sf.body.errors.map((e: { code: string }) => e.code)).toEqual(['conflict', 'invalid_message']);

    const invoices = await analytics({ ...WINDOW, catalog: 'invoice' });
    expect(invoices.body.totals).toMatchObject({ syncs: 1, success: 1, p50_ms: 50 });
    expect(invoices.body.series).toHaveLength(1);
    expect(invoices.body.errors).toEqual([]);

    const none = await analytics({ ...WINDOW, system: 'hubspot' });
    expect(none.body).toMatchObject({ totals: { ...zero, by_direction: [] }, series: [], errors: [] });
  });

  it('buckets finer when asked, aligned to the bucket width, and picks a bucket by the window when not', async () => {
    await seedKnownDay();
    const fine = await analytics({ from: '2026-12-01T10:07:00Z', to: '2026-12-01T10:30:00Z', bucket: '15m', system: 'stripe', catalog: 'customer' });
    expect(fine.status).toBe(200);
    // 10:07 falls in the bucket that starts at 10:00; rows from before from are not in it.
    expect(fine.body.series[0].buckets.map((b: { start: string; syncs: number }) => [b.start, b.syncs])).toEqual([
      ['2026-12-01T10:00:00.000Z', 1],
      ['2026-12-01T10:15:00.000Z', 1],
    ]);

    const auto = await analytics({ from: '2026-11-24T12:00:00Z', to: '2026-12-01T12:00:00Z' });
    expect(auto.body.bucket).toBe('1h');
    expect(auto.body.series[0].buckets).toHaveLength(7 * 24);
  });

  it('covers the last 24 hours by default, in 15-minute buckets', async () => {
    await seed({ at: new Date(Date.now() - 60_000).toISOString(), latencyMs: 120 }, { at: new Date(Date.now() - 25 * 3600_000).toISOString() });
    const res = await analytics();
    expect(res.status).toBe(200);
    expect(Date.parse(res.body.to) - Date.parse(res.body.from)).toBe(24 * 3600_000);
    expect(res.body.bucket).toBe('15m');
    expect(res.body.totals).toMatchObject({ syncs: 1, success: 1, p50_ms: 120 });
  });

  it.each([
    [{ from: '2026-12-01T12:00:00Z', to: '2026-12-01T10:00:00Z' }, 'from: from must be before to'],
    [{ from: '2026-08-01T00:00:00Z', to: '2026-12-01T00:00:00Z' }, 'from: the window from–to must be at most 90 days'],
    [{ from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z', bucket: '1m' }, 'bucket: the bucket 1m gives more than 1500 buckets over this window: pick a wider one'],
    [{ bucket: '2h' }, 'bucket:'],
    [{ from: 'yesterday' }, 'from: from must be an ISO 8601 date-time'],
    [{ system: 'Stripe!' }, 'system: system must be a name'],
    [{ catalog: 'x'.repeat(51) }, 'catalog: catalog must be a name'],
    [{ status: 'failed' }, 'status'],
  ])('answers 422 in the error shape for %j, reading nothing', async (q, message) => {
    const res = await analytics(q as Record<string, string>);
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', message: expect.stringContaining(message) });
  });
});
