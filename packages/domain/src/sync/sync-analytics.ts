import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../sql';
import { addHistogram, coverWindow, mergeHistograms, percentiles, type Histogram } from '../analytics';
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

/** What a rollup row, a delta or the sum of raw rows says about one series in one bucket. */
interface PartRow {
  bucket: string;
  system: string;
  catalog: string;
  direction: string;
  syncs: string;
  success: string;
  failed: string;
  skipped: string;
  latency: Record<string, [number, number]>;
  errors: Record<string, number>;
}

interface Acc {
  syncs: number;
  success: number;
  failed: number;
  skipped: number;
  latency: Histogram;
}

// Buckets are aligned to this origin (UTC midnight), so the same hour is the same bucket in every answer.
const ORIGIN = '2000-01-01T00:00:00Z';
const COLUMNS = 'system, catalog, direction, syncs, success, failed, skipped, latency, errors';

/**
 * The statement that reads a window: the rollup rows that cover it (coverWindow), the deltas of
 * its whole minutes not folded in yet, and the raw rows of its sub-minute ends, each with its
 * bucket. One statement, so a fold running meanwhile is seen entirely or not at all.
 */
function windowStatement(f: AnalyticsFilter): { text: string; params: unknown[] } {
  const cover = coverWindow(f.from, f.to, f.bucketSeconds);
  const bin = (column: string) => `date_bin(?::interval, ${column}, ?::timestamptz) as bucket`;
  const binParams = [`${f.bucketSeconds} seconds`, ORIGIN];
  const filters: string[] = [];
  const filterParams: unknown[] = [];
  if (f.system !== undefined) {
    filters.push('system = ?');
    filterParams.push(f.system);
  }
  if (f.catalog !== undefined) {
    filters.push('catalog = ?');
    filterParams.push(f.catalog);
  }
  const and = filters.map((c) => ` and ${c}`).join('');
  const parts: string[] = [];
  const params: unknown[] = [];
  if (cover.blocks.length > 0) {
    parts.push(
      `select ${bin('start')}, ${COLUMNS} from sync_event_rollups
        where (${cover.blocks.map(() => '(width = ? and start >= ? and start < ?)').join(' or ')})${and}`,
    );
    params.push(...binParams, ...cover.blocks.flatMap((b) => [b.width, b.from.toISOString(), b.to.toISOString()]), ...filterParams);
    parts.push(`select ${bin('minute')}, ${COLUMNS} from sync_event_rollup_deltas where minute >= ? and minute < ?${and}`);
    params.push(...binParams, cover.blocks[0]!.from.toISOString(), cover.blocks[cover.blocks.length - 1]!.to.toISOString(), ...filterParams);
  }
  if (cover.raw.length > 0) {
    parts.push(
      `select ${bin('minute')}, ${COLUMNS}
         from sync_rollup_rows(array(select sync_rollup_input(e) from sync_events e
                                      where ${cover.raw.map(() => '(e.created_at >= ? and e.created_at < ?)').join(' or ')}), 1)
        where true${and}`,
    );
    params.push(...binParams, ...cover.raw.flatMap(([lo, hi]) => [lo.toISOString(), hi.toISOString()]), ...filterParams);
  }
  return { text: parts.join('\n union all\n'), params };
}

const emptyAcc = (): Acc => ({ syncs: 0, success: 0, failed: 0, skipped: 0, latency: new Map() });

function add(into: Acc, from: Acc): void {
  into.syncs += from.syncs;
  into.success += from.success;
  into.failed += from.failed;
  into.skipped += from.skipped;
  mergeHistograms(into.latency, from.latency);
}

const orNull = (v: string) => (v === '' ? null : v);
/** Nulls first, then by name: the order the series and the directions are listed in. */
const byName = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1);

/**
 * Counts and time-to-sync percentiles of every bucket of every series (system × catalog ×
 * direction), of each direction and of the whole window, and the failures by code, from the
 * rollups the sync_events triggers keep (migration 20261210): a day in 15-minute buckets is about
 * a hundred rows per series whatever the traffic. Percentiles are percentile_cont's over the
 * stored histogram (latency-histogram.ts): exact for distinct values more than 2 % apart.
 */
export async function syncAnalytics(em: EntityManager, f: AnalyticsFilter): Promise<SyncAnalytics> {
  const statement = windowStatement(f);
  const rows = statement.text === '' ? [] : await sql<PartRow>(em, statement.text, statement.params);

  const cells = new Map<string, { system: string | null; catalog: string; direction: string | null; start: Date; acc: Acc }>();
  const errors = new Map<string, { system: string | null; catalog: string; code: string; count: number }>();
  for (const row of rows) {
    const start = pgTime(row.bucket);
    const key = `${row.system}\u0000${row.catalog}\u0000${row.direction}\u0000${start.getTime()}`;
    let cell = cells.get(key);
    if (!cell) cells.set(key, (cell = { system: orNull(row.system), catalog: row.catalog, direction: orNull(row.direction), start, acc: emptyAcc() }));
    cell.acc.syncs += Number(row.syncs);
    cell.acc.success += Number(row.success);
    cell.acc.failed += Number(row.failed);
    cell.acc.skipped += Number(row.skipped);
    addHistogram(cell.acc.latency, row.latency);
    for (const [code, n] of Object.entries(row.errors)) {
      const errorKey = `${row.system}\u0000${row.catalog}\u0000${code}`;
      const e = errors.get(errorKey) ?? { system: orNull(row.system), catalog: row.catalog, code, count: 0 };
      e.count += Number(n);
      errors.set(errorKey, e);
    }
  }

  const series = new Map<string, { system: string | null; catalog: string; direction: string | null; buckets: Map<number, Acc> }>();
  const directions = new Map<string | null, Acc>();
  const overall = emptyAcc();
  for (const cell of cells.values()) {
    // A series whose bucket nets to nothing (rows deleted since) is not one.
    if (cell.acc.syncs === 0) continue;
    const key = `${cell.system ?? ''}\u0000${cell.catalog}\u0000${cell.direction ?? ''}`;
    if (!series.has(key)) series.set(key, { system: cell.system, catalog: cell.catalog, direction: cell.direction, buckets: new Map() });
    series.get(key)!.buckets.set(cell.start.getTime(), cell.acc);
    if (!directions.has(cell.direction)) directions.set(cell.direction, emptyAcc());
    add(directions.get(cell.direction)!, cell.acc);
    add(overall, cell.acc);
  }
  const starts = bucketStarts(f);
  return {
    totals: {
      ...statsOf(overall),
      by_direction: [...directions.entries()].sort(([a], [b]) => byName(a, b)).map(([direction, acc]) => ({ direction, ...statsOf(acc) })),
    },
    series: [...series.values()]
      .sort((a, b) => byName(a.system, b.system) || byName(a.catalog, b.catalog) || byName(a.direction, b.direction))
      .map((s) => ({
        system: s.system,
        catalog: s.catalog,
        direction: s.direction,
        buckets: starts.map((start) => {
          const acc = s.buckets.get(start.getTime());
          return { start, ...(acc ? statsOf(acc) : emptyStats()) };
        }),
      })),
    errors: [...errors.values()]
      .filter((e) => e.count !== 0)
      .sort((a, b) => b.count - a.count || byName(a.system, b.system) || byName(a.catalog, b.catalog) || byName(a.code, b.code)),
  };
}

const ms = (v: number | null) => (v === null ? null : Math.round(v));

function statsOf(acc: Acc): AnalyticsStats {
  const [p50, p95, p99] = percentiles(acc.latency, [0.5, 0.95, 0.99]) as [number | null, number | null, number | null];
  return {
    syncs: acc.syncs,
    success: acc.success,
    failed: acc.failed,
    skipped: acc.skipped,
    success_rate: acc.success + acc.failed === 0 ? null : acc.success / (acc.success + acc.failed),
    p50_ms: ms(p50),
    p95_ms: ms(p95),
    p99_ms: ms(p99),
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
