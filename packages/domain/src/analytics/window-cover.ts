/** The period widths sync_event_rollups holds, in seconds (migration 20261210): each divides the next. */
export const ROLLUP_WIDTHS = [60, 300, 900, 3600, 21_600, 86_400] as const;

/** Rollup rows of one width whose start lies in [from, to). */
export interface RollupBlock {
  width: number;
  from: Date;
  to: Date;
}

export interface WindowCover {
  /** Contiguous, together [the first whole minute, the last whole minute) of the window; empty when it holds none. */
  blocks: RollupBlock[];
  /** The window's parts shorter than a minute at either end, read from sync_events itself. */
  raw: Array<[Date, Date]>;
}

const floorTo = (t: number, step: number) => Math.floor(t / step) * step;
const ceilTo = (t: number, step: number) => Math.ceil(t / step) * step;

/**
 * The fewest rollup rows that make up [from, to) exactly: the widest periods that fit (and that
 * divide the bucket, so no period straddles two buckets), narrower ones towards the ends, the
 * sub-minute ends as raw rows. Periods are aligned to the Unix epoch, which every width divides
 * a day of, as date_bin's origin (2000-01-01 UTC) is.
 */
export function coverWindow(from: Date, to: Date, bucketSeconds: number): WindowCover {
  const widths = ROLLUP_WIDTHS.filter((w) => w <= bucketSeconds && bucketSeconds % w === 0).reverse();
  const blocks: RollupBlock[] = [];
  const raw: Array<[Date, Date]> = [];
  const cover = (lo: number, hi: number, level: number): void => {
    if (lo >= hi) return;
    const width = widths[level];
    if (width === undefined) {
      raw.push([new Date(lo), new Date(hi)]);
      return;
    }
    const a = ceilTo(lo, width * 1000);
    const b = floorTo(hi, width * 1000);
    if (a >= b) return cover(lo, hi, level + 1);
    cover(lo, a, level + 1);
    blocks.push({ width, from: new Date(a), to: new Date(b) });
    cover(b, hi, level + 1);
  };
  cover(from.getTime(), to.getTime(), 0);
  blocks.sort((x, y) => x.from.getTime() - y.from.getTime());
  return { blocks, raw };
}
