/**
 * Time-to-sync as sync_event_rollups keeps it (migration 20261210, `sync_latency_bucket`): per
 * bucket its count and the sum of its values, buckets of 1 ms below 64 ms and 2 % wide above.
 * Percentiles interpolate between ranks as percentile_cont does, each value taken as its bucket's
 * mean: exact when a bucket holds one value (or equal ones), otherwise within the bucket's 2 %.
 */
export type Histogram = Map<number, { n: number; sum: number }>;

/** Adds a stored map ({"bucket": [count, sum]}) into `into`. */
export function addHistogram(into: Histogram, stored: Record<string, [number | string, number | string]>): void {
  for (const [key, [n, sum]] of Object.entries(stored)) {
    const bucket = Number(key);
    const was = into.get(bucket) ?? { n: 0, sum: 0 };
    into.set(bucket, { n: was.n + Number(n), sum: was.sum + Number(sum) });
  }
}

export function mergeHistograms(into: Histogram, from: Histogram): void {
  for (const [bucket, { n, sum }] of from) {
    const was = into.get(bucket) ?? { n: 0, sum: 0 };
    into.set(bucket, { n: was.n + n, sum: was.sum + sum });
  }
}

/** percentile_cont of each of `ps` over the histogram's values (one sort for all); nulls when it holds none. */
export function percentiles(h: Histogram, ps: readonly number[]): Array<number | null> {
  const buckets = [...h.entries()].filter(([, b]) => b.n > 0).sort(([a], [b]) => a - b);
  const total = buckets.reduce((n, [, b]) => n + b.n, 0);
  if (total === 0) return ps.map(() => null);
  // Cumulative counts: the value at a rank is the mean of the first bucket whose count passes it.
  const ends: number[] = [];
  let seen = 0;
  for (const [, b] of buckets) ends.push((seen += b.n));
  const valueAt = (rank: number): number => {
    let lo = 0;
    let hi = ends.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (rank < ends[mid]!) hi = mid;
      else lo = mid + 1;
    }
    const b = buckets[lo]![1];
    return b.sum / b.n;
  };
  return ps.map((p) => {
    const h0 = (total - 1) * p;
    const lo = Math.floor(h0);
    const hi = Math.ceil(h0);
    const a = valueAt(lo);
    return lo === hi ? a : a + (h0 - lo) * (valueAt(hi) - a);
  });
}

/** percentile_cont(p) over the histogram's values; null when it holds none. */
export function percentile(h: Histogram, p: number): number | null {
  return percentiles(h, [p])[0]!;
}
