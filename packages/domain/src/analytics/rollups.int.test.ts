import { query, resetDatabase } from '../../../../test/support/db';
import { openOrm, type MikroORM } from '../orm';
import { syncAnalytics, type AnalyticsFilter, type SyncAnalytics } from '../sync/sync-analytics';
import { compactRollups, rowCounts } from './rollups';

let orm: MikroORM;
beforeAll(async () => {
  orm = await openOrm({ databaseUrl: process.env.DATABASE_URL!, poolMax: 4 });
});
afterAll(() => orm.close());
beforeEach(() => resetDatabase());

const T0 = Date.parse('2026-11-20T00:00:00Z');

/** Three days of attempts at uneven times, every outcome, systems, catalogs and directions mixed, time-to-sync from 0 ms to minutes. */
async function seedAttempts(from: number, n: number): Promise<void> {
  await query(
    `insert into sync_events (event_id, event_type, entity_type, entity_id, external_system, status, payload, created_at, processed_at, direction, source_at)
     select gen_random_uuid(), 'customer.updated', case when g % 5 = 0 then 'invoice' else 'customer' end, g % 40 + 1,
            case when g % 11 = 0 then null when g % 3 = 0 then 'salesforce' else 'stripe' end,
            (array['success', 'success', 'success', 'skipped', 'failed', 'retrying', 'pending', 'conflict', 'parked'])[1 + (g * 7) % 9],
            case when g % 4 = 0 then jsonb_build_object('code', (array['server_error', 'rate_limited'])[1 + g % 2]) else '{}'::jsonb end,
            t, t, case when g % 13 = 0 then null when g % 2 = 0 then 'inbound' else 'outbound' end,
            case when g % 17 = 0 then null else t - make_interval(secs => ((g * 7919) % 100000) / 1000.0 * (1 + g % 3)) end
       from generate_series($1::int, $1::int + $2::int - 1) g,
            lateral (select $3::timestamptz + make_interval(secs => (g * 86.3) + (g * 7) % 53) as t) at`,
    [from, n, new Date(T0).toISOString()],
  );
}

interface Ref {
  system: string | null;
  catalog: string;
  direction: string | null;
  start: string;
  syncs: number;
  success: number;
  failed: number;
  skipped: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** The answer straight from sync_events (as GET /sync/analytics computed it before rollups). */
async function reference(f: AnalyticsFilter): Promise<{ cells: Ref[]; errors: Array<{ system: string | null; catalog: string; code: string; count: number }> }> {
  const where = `created_at >= $1 and created_at < $2 and status <> 'pending'
    ${f.system ? `and external_system = '${f.system}'` : ''} ${f.catalog ? `and entity_type = '${f.catalog}'` : ''}`;
  const cells = await query<Ref & Record<string, unknown>>(
    `select external_system as system, entity_type as catalog, direction,
            to_char(date_bin(make_interval(secs => $3), created_at, '2000-01-01T00:00:00Z') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.000"Z"') as start,
            count(*)::int as syncs, count(*) filter (where status = 'success')::int as success,
            count(*) filter (where status in ('failed', 'retrying', 'parked', 'conflict'))::int as failed, count(*) filter (where status = 'skipped')::int as skipped,
            percentile_cont(array[0.5, 0.95, 0.99]) within group (order by
              case when status = 'success' and source_at is not null then greatest(0, extract(epoch from processed_at - source_at) * 1000) end) as ps
       from sync_events where ${where} group by 1, 2, 3, 4 order by 1, 2, 3, 4`,
    [f.from.toISOString(), f.to.toISOString(), f.bucketSeconds],
  );
  const errors = await query<{ system: string | null; catalog: string; code: string; count: number }>(
    `select external_system as system, entity_type as catalog, coalesce(payload->>'code', status) as code, count(*)::int as count
       from sync_events where ${where} and status in ('failed', 'retrying', 'parked', 'conflict') group by 1, 2, 3`,
    [f.from.toISOString(), f.to.toISOString()],
  );
  return {
    cells: cells.map((c) => {
      const ps = (c as unknown as { ps: number[] | null }).ps;
      const { ps: _ps, ...rest } = c as unknown as Ref & { ps: unknown };
      return { ...rest, p50: ps?.[0] ?? null, p95: ps?.[1] ?? null, p99: ps?.[2] ?? null };
    }),
    errors,
  };
}

/** Within the histogram's 2 % (1 ms below 64 ms, where buckets are whole ms and values are rounded). */
const near = (got: number | null, want: number | null) => (want === null ? got === null : got !== null && Math.abs(got - want) <= Math.max(1, want * 0.021));

function expectSameAnswer(got: SyncAnalytics, want: Awaited<ReturnType<typeof reference>>): void {
  const cells = got.series.flatMap((s) =>
    s.buckets.filter((b) => b.syncs !== 0).map((b) => ({ ...b, system: s.system, catalog: s.catalog, direction: s.direction, start: b.start.toISOString() })),
  );
  const key = (c: { system: string | null; catalog: string; direction: string | null; start: string }) => JSON.stringify([c.system, c.catalog, c.direction, c.start]);
  expect(cells.map(key).sort()).toEqual(want.cells.map(key).sort());
  const byKey = new Map(cells.map((c) => [key(c), c]));
  for (const w of want.cells) {
    const g = byKey.get(key(w))!;
    expect({ syncs: g.syncs, success: g.success, failed: g.failed, skipped: g.skipped }).toEqual({ syncs: w.syncs, success: w.success, failed: w.failed, skipped: w.skipped });
    for (const [p, ref] of [[g.p50_ms, w.p50], [g.p95_ms, w.p95], [g.p99_ms, w.p99]] as const) {
      if (!near(p, ref)) throw new Error(`${key(w)}: percentile ${p} is not within 2 % of ${ref}`);
    }
  }
  const errorKey = (e: { system: string | null; catalog: string; code: string; count: number }) => JSON.stringify([e.system, e.catalog, e.code, e.count]);
  expect(got.errors.map(errorKey).sort()).toEqual(want.errors.map(errorKey).sort());
  expect(got.totals.syncs).toBe(want.cells.reduce((n, c) => n + c.syncs, 0));
}

/** Windows that start and end anywhere (mid-second too), at every bucket width. */
function windows(): AnalyticsFilter[] {
  const out: AnalyticsFilter[] = [];
  const widths = [60, 300, 900, 3600, 21_600, 86_400];
  for (let i = 0; i < 18; i++) {
    const bucketSeconds = widths[i % widths.length]!;
    const from = T0 - 3_600_000 + ((i * 7_919_123) % (3 * 86_400_000)) + (i % 3) * 517;
    const span = Math.min(bucketSeconds * 1000 * 1400, 30_000 + ((i * 104_729_77) % (2 * 86_400_000)));
    out.push({ from: new Date(from), to: new Date(from + span), bucketSeconds });
  }
  out.push({ from: new Date(T0 - 86_400_000), to: new Date(T0 + 4 * 86_400_000), bucketSeconds: 86_400 });
  out.push({ from: new Date(T0 + 1_000), to: new Date(T0 + 20_000), bucketSeconds: 60 });
  out.push({ from: new Date(T0 + 3_600_000), to: new Date(T0 + 7_200_000), bucketSeconds: 900, system: 'salesforce', catalog: 'customer' });
  return out;
}

async function expectAllWindowsRight(): Promise<void> {
  for (const w of windows()) {
    try {
      expectSameAnswer(await syncAnalytics(orm.em.fork(), w), await reference(w));
    } catch (err) {
      throw new Error(`window ${w.from.toISOString()} – ${w.to.toISOString()} by ${w.bucketSeconds} s${w.system ? ` (${w.system}, ${w.catalog})` : ''}: ${(err as Error).message}`);
    }
  }
}

const rollupRows = async () => (await query<{ n: number }>(`select count(*)::int as n from sync_event_rollups`))[0]!.n;
const deltaRows = async () => (await query<{ n: number }>(`select count(*)::int as n from sync_event_rollup_deltas`))[0]!.n;

describe('sync analytics from rollups', () => {
  it('answers as the raw rows do for any window and bucket: unfolded, folded, and half of each', async () => {
    await seedAttempts(1, 3_000);
    expect(await rollupRows()).toBe(0);
    await expectAllWindowsRight();

    const folded = await compactRollups(orm.em.fork(), 500);
    expect(folded?.rollupDeltas).toBeGreaterThan(500);
    expect(await deltaRows()).toBe(0);
    await expectAllWindowsRight();

    // Later rows land in the same periods as deltas, beside what is folded.
    await seedAttempts(3_001, 1_000);
    expect(await deltaRows()).toBeGreaterThan(0);
    await expectAllWindowsRight();
  });

  it('counts deleted and changed rows back out, and forgets everything on a truncate', async () => {
    await seedAttempts(1, 2_000);
    await compactRollups(orm.em.fork());
    await query(`delete from sync_events where id % 5 = 0`);
    await query(`update sync_events set status = 'success', payload = '{}' where status = 'failed'`);
    await expectAllWindowsRight();
    await compactRollups(orm.em.fork());
    await expectAllWindowsRight();

    await query('truncate sync_events');
    expect([await rollupRows(), await deltaRows()]).toEqual([0, 0]);
    const all = await syncAnalytics(orm.em.fork(), { from: new Date(T0 - 86_400_000), to: new Date(T0 + 5 * 86_400_000), bucketSeconds: 86_400 });
    expect(all.totals.syncs).toBe(0);
    expect(all.series).toEqual([]);
  });

  it('folds in one place at a time: two folds at once neither deadlock nor count a delta twice', async () => {
    for (let i = 0; i < 40; i++) await seedAttempts(1 + i * 50, 50);
    const deltas = await deltaRows();
    const [a, b] = await Promise.all([compactRollups(orm.em.fork(), 7), compactRollups(orm.em.fork(), 7)]);
    const foldedNow = (a?.rollupDeltas ?? 0) + (b?.rollupDeltas ?? 0);
    const rest = (await compactRollups(orm.em.fork()))?.rollupDeltas ?? 0;
    expect(foldedNow + rest).toBe(deltas);
    await expectAllWindowsRight();
  });
});

describe('maintained row counts', () => {
  const actual = async () => {
    const [c] = await query<{ n: number }>(`select count(*)::int as n from customers where deleted_at is null`);
    const m = await query<{ system: string; n: number }>(`select external_system as system, count(*)::int as n from external_mappings group by 1`);
    return { 'customers:live': c!.n, ...Object.fromEntries(m.map((r) => [`external_mappings:${r.system}`, r.n])) };
  };
  const counted = async () => Object.fromEntries([...(await rowCounts(orm.em.fork()))].filter(([, n]) => n !== 0));

  it('follow inserts, soft deletes, restores, hard deletes and mapping changes, folded or not, and a truncate', async () => {
    await query(`insert into customers (name, email) select 'C' || g, 'c' || g || '@x.io' from generate_series(1, 50) g`);
    await query(`insert into external_mappings (entity_type, internal_id, external_system, external_object_type, external_id)
                 select 'customer', g, case when g % 2 = 0 then 'stripe' else 'salesforce' end, 'customer', 'x' || g from generate_series(1, 40) g`);
    expect(await counted()).toEqual(await actual());
    await query(`update customers set deleted_at = now() where id <= 10`);
    await query(`update customers set name = name || '!' where id > 40`);
    await compactRollups(orm.em.fork());
    expect(await counted()).toEqual(await actual());
    await query(`update customers set deleted_at = null where id <= 3`);
    await query(`delete from external_mappings where internal_id > 30`);
    await query(`update external_mappings set external_system = 'hubspot' where internal_id <= 5`);
    await query(`delete from customers where id = 50`);
    expect(await counted()).toEqual(await actual());
    await compactRollups(orm.em.fork());
    expect(await counted()).toEqual(await actual());
    expect(await actual()).toMatchObject({ 'customers:live': 42, 'external_mappings:hubspot': 5 });

    await query('truncate customers, external_mappings cascade');
    expect(await counted()).toEqual({});
  });
});
