import { z } from 'zod';
import { isoDateTime } from '../params';

const HOUR = 3600;
const DAY = 24 * HOUR;
/** The bucket widths a caller may ask for, in seconds. */
export const BUCKETS = { '1m': 60, '5m': 300, '15m': 900, '1h': HOUR, '6h': 6 * HOUR, '1d': DAY } as const;
type Bucket = keyof typeof BUCKETS;
/** The default window, and the longest one (sync_events' default retention). */
export const DEFAULT_RANGE_MS = DAY * 1000;
export const MAX_RANGE_MS = 90 * DAY * 1000;
/** A chart has at most this many points per series; auto picks the narrowest bucket under AUTO_POINTS. */
export const MAX_BUCKETS = 1500;
const AUTO_POINTS = 200;

const name = (what: string) => z.string().regex(/^[a-z][a-z0-9_-]{0,49}$/, `${what} must be a name such as ${what === 'system' ? 'stripe' : 'customer'}`);

/** The narrowest bucket that keeps the range under AUTO_POINTS points (1d past that). */
export function autoBucket(rangeMs: number): Bucket {
  const fit = (Object.keys(BUCKETS) as Bucket[]).find((b) => rangeMs / (BUCKETS[b] * 1000) <= AUTO_POINTS);
  return fit ?? '1d';
}

export const analyticsQuery = z
  .strictObject({
    from: isoDateTime('from').optional().meta({ description: 'Start of the window, inclusive (ISO 8601 with zone); default: 24 hours before to' }),
    to: isoDateTime('to').optional().meta({ description: 'End of the window, exclusive (ISO 8601 with zone); default: now' }),
    bucket: z
      .enum(Object.keys(BUCKETS) as [Bucket, ...Bucket[]])
      .optional()
      .meta({ description: `Bucket width; default: the narrowest that gives at most ${AUTO_POINTS} buckets` }),
    system: name('system').optional().meta({ description: 'Only attempts with this external system, e.g. stripe' }),
    catalog: name('catalog').optional().meta({ description: 'Only attempts about this catalog, e.g. customer or invoice' }),
  })
  .transform((q, ctx) => {
    const to = q.to ?? new Date();
    const from = q.from ?? new Date(to.getTime() - DEFAULT_RANGE_MS);
    const range = to.getTime() - from.getTime();
    const bucket = q.bucket ?? autoBucket(range);
    const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (range <= 0) problem('from', 'from must be before to');
    else if (range > MAX_RANGE_MS) problem('from', 'the window from–to must be at most 90 days');
    else if (range / (BUCKETS[bucket] * 1000) > MAX_BUCKETS) problem('bucket', `the bucket ${bucket} gives more than ${MAX_BUCKETS} buckets over this window: pick a wider one`);
    return { from, to, bucket, bucketSeconds: BUCKETS[bucket], system: q.system, catalog: q.catalog };
  });

const time = z.iso.datetime();
const ms = z.number().int().nullable();
const stats = {
  syncs: z.number().int().meta({ description: 'Sync attempts with an outcome (pending create markers are not outcomes)' }),
  success: z.number().int(),
  failed: z.number().int().meta({ description: 'Attempts that failed, will be retried, were parked or met a conflict' }),
  skipped: z.number().int().meta({ description: 'Nothing to send: an echo, an unchanged record, an event type not synced' }),
  success_rate: z.number().nullable().meta({ description: 'success / (success + failed), 0–1; null when there were neither' }),
  p50_ms: ms.meta({ description: 'Time-to-sync, median, in ms: outbound from our commit to the system confirming it, inbound from the source stamping the change to our commit' }),
  p95_ms: ms,
  p99_ms: ms,
};

export const analyticsResponse = z.object({
  from: time,
  to: time,
  bucket: z.enum(Object.keys(BUCKETS) as [Bucket, ...Bucket[]]),
  totals: z.object({ ...stats, by_direction: z.array(z.object({ direction: z.string().nullable(), ...stats })) }),
  series: z.array(
    z.object({
      system: z.string().nullable(),
      catalog: z.string(),
      direction: z.string().nullable(),
      buckets: z.array(z.object({ start: time, ...stats })).meta({ description: 'Every bucket of the window, oldest first; zeros where nothing happened' }),
    }),
  ),
  errors: z.array(z.object({ system: z.string().nullable(), catalog: z.string(), code: z.string(), count: z.number().int() })).meta({ description: 'Failed attempts by error code, most frequent first' }),
});
