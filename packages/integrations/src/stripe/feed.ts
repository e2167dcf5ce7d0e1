import type { ChangeFeed, FeedPage, SourceEvent } from '../types';
import { stripeEventToChange } from './changes';

const DAY = 86_400;

/** The events-API cursor: the newest event second read, and the ids already read at it. */
interface Cursor {
  ts: number;
  ids: string[];
}

export interface StripeFeedOptions {
  /** Events show up in the events API at most this long after their timestamp. */
  overlapSec?: number;
  /** Stripe keeps events for 30 days. */
  retentionDays?: number;
  now?: () => number;
}

/**
 * Stripe's change feed: its events API read by time from a cursor (the newest second read and the
 * ids read at it), so that no event is missed and none read twice. Stripe lists an event within
 * `overlapSec` of its timestamp: past that, the cursor moves on even when nothing happened, so a
 * quiet account never looks stale. A cursor past the 30-day retention is a gap (events were lost).
 */
export function stripeFeed(listEvents: (fromTs: number, toTs: number) => Promise<SourceEvent[]>, opts: StripeFeedOptions = {}): ChangeFeed {
  return {
    async poll(cursor, { sinceTs } = {}): Promise<FeedPage> {
      const now = Math.floor((opts.now?.() ?? Date.now()) / 1000);
      const overlap = opts.overlapSec ?? 60;
      const retention = (opts.retentionDays ?? 30) * DAY;
      const stored = sinceTs === undefined && cursor ? (JSON.parse(cursor) as Cursor) : null;
      let fromTs = sinceTs ?? stored?.ts ?? now - overlap;
      let warning: string | undefined;
      let gap = false;
      const age = now - fromTs;
      if (age > retention - 5 * DAY) warning = `events-API cursor ${new Date(fromTs * 1000).toISOString()} is ${Math.round(age / DAY)} days old, close to Stripe's ${retention / DAY}-day retention`;
      if (age > retention) {
        gap = true;
        fromTs = now - retention + DAY;
      }
      const listed = await listEvents(fromTs, now + 1);
      const seen = new Set(stored?.ids ?? []);
      const fresh = listed.filter((e) => !(e.created === stored?.ts && seen.has(e.eventId)));
      const newest = listed.reduce((max, e) => Math.max(max, e.created), stored?.ts ?? 0);
      const ts = Math.max(newest, now - overlap);
      const ids = listed.filter((e) => e.created === ts).map((e) => e.eventId);
      const next: Cursor = { ts, ids: ts === stored?.ts ? [...new Set([...seen, ...ids])] : ids };
      return {
        changes: fresh.map((e) => stripeEventToChange(e.event)).filter((c) => c !== null),
        cursor: JSON.stringify(next),
        ...(gap ? { gap } : {}),
        ...(warning ? { warning } : {}),
      };
    },
  };
}
