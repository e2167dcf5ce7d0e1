import type { CreatedRange } from './params';

/**
 * Cursor pagination over a list kept in insertion order (ascending `seq`) whose `created`
 * never decreases along that order. Output is newest first, like Stripe, with equal
 * `created` values ordered by insertion so pages never skip or repeat an item.
 */
export interface Sequenced {
  readonly seq: number;
  readonly created: number;
}

export interface PageRequest {
  limit: number;
  /** seq of the `starting_after` object: return older items. */
  startingAfter?: number;
  /** seq of the `ending_before` object: return the newer items just before it. */
  endingBefore?: number;
  created?: CreatedRange;
}

export interface Page<T> {
  items: T[];
  hasMore: boolean;
}

/** First index in [0, length] for which `test` holds, given `test` is monotonic (false…true). */
export function lowerBound<T>(items: readonly T[], test: (item: T) => boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const item = items[mid];
    if (item !== undefined && test(item)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Index window [lo, hi) that satisfies the created range and cursors, found by binary search. */
function window<T extends Sequenced>(source: readonly T[], page: PageRequest): [number, number] {
  const { created, startingAfter, endingBefore } = page;
  let lo = 0;
  let hi = source.length;
  if (created?.gt !== undefined) { const b = created.gt; lo = Math.max(lo, lowerBound(source, (x) => x.created > b)); }
  if (created?.gte !== undefined) { const b = created.gte; lo = Math.max(lo, lowerBound(source, (x) => x.created >= b)); }
  if (created?.lt !== undefined) { const b = created.lt; hi = Math.min(hi, lowerBound(source, (x) => x.created >= b)); }
  if (created?.lte !== undefined) { const b = created.lte; hi = Math.min(hi, lowerBound(source, (x) => x.created > b)); }
  if (endingBefore !== undefined) lo = Math.max(lo, lowerBound(source, (x) => x.seq > endingBefore));
  if (startingAfter !== undefined) hi = Math.min(hi, lowerBound(source, (x) => x.seq >= startingAfter));
  return [lo, hi];
}

export function paginate<T extends Sequenced>(source: readonly T[], page: PageRequest, include: (item: T) => boolean): Page<T> {
  const [lo, hi] = window(source, page);
  const items: T[] = [];
  // One extra item tells us whether another page exists.
  const want = page.limit + 1;
  if (page.endingBefore !== undefined && page.startingAfter === undefined) {
    // Walking towards newer items: collect the ones closest to the cursor, then flip to newest first.
    for (let i = lo; i < hi && items.length < want; i++) {
      const item = source[i];
      if (item !== undefined && include(item)) items.push(item);
    }
    const hasMore = items.length > page.limit;
    return { items: items.slice(0, page.limit).reverse(), hasMore };
  }
  for (let i = hi - 1; i >= lo && items.length < want; i--) {
    const item = source[i];
    if (item !== undefined && include(item)) items.push(item);
  }
  const hasMore = items.length > page.limit;
  if (hasMore) items.pop();
  return { items, hasMore };
}

/**
 * Cursor pagination over a list kept in its own display order (an invoice's lines): pages run
 * front to back, `startingAfter`/`endingBefore` are positions in `items`.
 */
export function pageInOrder<T>(items: readonly T[], page: { limit: number; startingAfter?: number; endingBefore?: number }): Page<T> {
  if (page.endingBefore !== undefined && page.startingAfter === undefined) {
    const from = Math.max(0, page.endingBefore - page.limit);
    return { items: items.slice(from, page.endingBefore), hasMore: from > 0 };
  }
  const from = page.startingAfter === undefined ? 0 : page.startingAfter + 1;
  const to = Math.min(items.length, from + page.limit, page.endingBefore ?? Number.POSITIVE_INFINITY);
  return { items: items.slice(from, to), hasMore: to < (page.endingBefore ?? items.length) };
}
