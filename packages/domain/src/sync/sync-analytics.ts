import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../sql';
import { pgTime } from './pg-time';

/** Outcomes that count against the success rate: the attempt did not get the change there. */
export const FAILED_STATUSES = ['failed', 'retrying', 'parked', 'conflict'] as const;

export interface AnalyticsFilter {
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
  bucketSeconds: number;
  system?: string | undefined;
  catalog?: string | undefined;
}

export interface AnalyticsStats {
  syncs: number;
  success: number;
  failed: number;
  skipped: number;
  /** success / (success + failed); skips (echoes, unchanged records) are neither. Null with neither. */
  success_rate: number | null;
  /** Time-to-sync of the successful attempts that know their source time, in ms; null with none. */
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
}

export interface AnalyticsSeries {
  system: string | null;
  catalog: string;
  direction: string | null;
  buckets: Array<{ start: Date } & AnalyticsStats>;
}

export interface SyncAnalytics {
  totals: AnalyticsStats & { by_direction: Array<{ direction: string | null } & AnalyticsStats> };
  series: AnalyticsSeries[];
  errors: Array<{ system: string | null; catalog: string; code: string; count: number }>;
}

interface StatsRow {
  level: number;
  start: string | null;
  system: string | null;
  catalog: string | null;
  direction: string | null;
  syncs: string;
  success: string;
  failed: string;
  skipped: string;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

// Buckets are aligned to this origin (UTC midnight), so the same hour is the same bucket in every answer.
const ORIGIN = '2000-01-01T00:00:00Z';
const FAILED = FAILED_STATUSES.map((s) => `'${s}'`).join(', ');

/**
 * The rows of the range: every attempt but the pending create markers (not outcomes), with its
 * bucket and, for a success that knows its source time, its time-to-sync (clamped at 0: the
 * source's whole-second stamps and another machine's clock can put the source a little ahead).
 */
function rangeCte(f: AnalyticsFilter): { text: string; params: unknown[] } {
  const where = ['created_at >= ?', 'created_at < ?', `status <> 'pending'`];
  const params: unknown[] = [`${f.bucketSeconds} seconds`, ORIGIN, f.from.toISOString(), f.to.toISOString()];
  if (f.system !== undefined) {
    where.push('external_system = ?');
    params.push(f.system);
  }
  if (f.catalog !== undefined) {
    where.push('entity_type = ?');
    params.push(f.catalog);
  }
  return {
    text: `with e as (
      select date_bin(?::interval, created_at, ?::timestamptz) as start, external_system as system, entity_type as catalog, direction, status, payload,
             case when status = 'success' and source_at is not null and processed_at is not null
                  then greatest(0, extract(epoch from processed_at - source_at) * 1000) end as ms
        from sync_events
       where ${where.join(' and ')}
    )`,
    params,
  };
}

/**
 * One statement for the counts and percentiles of every bucket of every series (system × catalog
 * × direction), of each direction and of the whole range (grouping sets), one for the error
 * breakdown. Both read the range off the created_at index, so they work the same on a table
 * partitioned by created_at.
 */
export async function syncAnalytics(em: EntityManager, f: AnalyticsFilter): Promise<SyncAnalytics> {
  const range = rangeCte(f);
  const [stats, errors] = await Promise.all([
    sql<StatsRow>(
      em,
      `${range.text}
       select grouping(start, system, catalog, direction) as level, start, system, catalog, direction,
              count(*) as syncs,
              count(*) filter (where status = 'success') as success,
              count(*) filter (where status in (${FAILED})) as failed,
              count(*) filter (where status = 'skipped') as skipped,
              percentile_cont(0.5) within group (order by ms) as p50,
              percentile_cont(0.95) within group (order by ms) as p95,
              percentile_cont(0.99) within group (order by ms) as p99
         from e
        group by grouping sets ((start, system, catalog, direction), (direction), ())
        order by system nulls first, catalog, direction nulls first, start`,
      range.params,
    ),
    sql<{ system: string | null; catalog: string; code: string; count: string }>(
      em,
      `${range.text}
       select system, catalog, coalesce(payload->>'code', status) as code, count(*) as count
         from e where status in (${FAILED})
        group by 1, 2, 3 order by count desc, system, catalog, code`,
      range.params,
    ),
  ]);

  const series = new Map<string, AnalyticsSeries>();
  const byDirection: SyncAnalytics['totals']['by_direction'] = [];
  let overall: AnalyticsStats = emptyStats();
  for (const row of stats) {
    const s = statsOf(row);
    if (row.level === 0) {
      const key = JSON.stringify([row.system, row.catalog, row.direction]);
      if (!series.has(key)) series.set(key, { system: row.system, catalog: row.catalog!, direction: row.direction, buckets: [] });
      series.get(key)!.buckets.push({ start: pgTime(row.start!), ...s });
    } else if (row.level === 0b1110) byDirection.push({ direction: row.direction, ...s });
    else overall = s;
  }
  const starts = bucketStarts(f);
  return {
    totals: { ...overall, by_direction: byDirection },
    series: [...series.values()].map((s) => ({ ...s, buckets: filled(starts, s.buckets) })),
    errors: errors.map((e) => ({ ...e, count: Number(e.count) })),
  };
}

const ms = (v: number | null) => (v === null ? null : Math.round(Number(v)));

function statsOf(row: StatsRow): AnalyticsStats {
  const success = Number(row.success);
  const failed = Number(row.failed);
  return {
    syncs: Number(row.syncs),
    success,
    failed,
    skipped: Number(row.skipped),
    success_rate: success + failed === 0 ? null : success / (success + failed),
    p50_ms: ms(row.p50),
    p95_ms: ms(row.p95),
    p99_ms: ms(row.p99),
  };
}

const emptyStats = (): AnalyticsStats => ({ syncs: 0, success: 0, failed: 0, skipped: 0, success_rate: null, p50_ms: null, p95_ms: null, p99_ms: null });

/** Every bucket start of the range, as date_bin aligns them: a chart gets a point (zero) where nothing happened. */
export function bucketStarts(f: Pick<AnalyticsFilter, 'from' | 'to' | 'bucketSeconds'>): Date[] {
  const step = f.bucketSeconds * 1000;
  const origin = Date.parse(ORIGIN);
  const first = origin + Math.floor((f.from.getTime() - origin) / step) * step;
  const out: Date[] = [];
  for (let t = first; t < f.to.getTime(); t += step) out.push(new Date(t));
  return out;
}

function filled(starts: Date[], buckets: AnalyticsSeries['buckets']): AnalyticsSeries['buckets'] {
  const at = new Map(buckets.map((b) => [b.start.getTime(), b]));
  return starts.map((start) => at.get(start.getTime()) ?? { start, ...emptyStats() });
}
