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

/** percentile_cont(p) over the histogram's values; null when it holds none. */
export function percentile(h: Histogram, p: number): number | null {
  const buckets = [...h.entries()].filter(([, b]) => b.n > 0).sort(([a], [b]) => a - b);
  const total = buckets.reduce((n, [, b]) => n + b.n, 0);
  if (total === 0) return null;
  const valueAt = (rank: number): number => {
    let seen = 0;
    for (const [, b] of buckets) {
      seen += b.n;
      if (rank < seen) return b.sum / b.n;
    }
    const last = buckets[buckets.length - 1]![1];
    return last.sum / last.n;
  };
  const h0 = (total - 1) * p;
  const lo = Math.floor(h0);
  const hi = Math.ceil(h0);
  const a = valueAt(lo);
  return lo === hi ? a : a + (h0 - lo) * (valueAt(hi) - a);
}
