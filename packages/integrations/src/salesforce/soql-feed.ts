import { createHash } from 'node:crypto';
import { listedChange } from '../change-message';
import type { ChangeFeed, FeedPage } from '../types';
import type { AccountsAdapter } from './accounts';

/** Records read per poll at most: a catch-up after a long outage goes on from where this one stopped. */
const MAX_PER_POLL = 10_000;
const OVERLAP_MS = 1_000;

/**
 * The event id of one version of a record: its stamp is whole seconds, and two edits in one second
 * (ours, then a person's) must not share an id, or the second would be dropped as a duplicate.
 */
function versionId(record: object & { externalId: string }, ts: number): string {
  const digest = createHash('sha256').update(JSON.stringify(record)).digest('hex').slice(0, 16);
  return `soql:${record.externalId}:${ts}:${digest}`;
}

/**
 * The catch-up path beside CDC: Accounts whose SystemModstamp is after the cursor, by SOQL
 * (queryAll, so deletions come too), oldest first. It heals what the stream missed — a gap, a
 * replay id past the 72-hour retention, an outage of the worker — and is what the scheduled
 * catch-up runs. The cursor is the last SystemModstamp read (opaque to everyone else); the first
 * poll starts from now, as Stripe's does (history is what backfill is for), unless given a time
 * (the catch-up poller's first poll gives the system's start point). Each record is its
 * current state, stamped with its SystemModstamp, so the inbound order guard skips it when a
 * newer CDC event was applied already, and its event id names that version, so a record read by
 * two polls is applied once.
 */
export function soqlFeed(accounts: AccountsAdapter, now: () => number = Date.now): ChangeFeed {
  return {
    async poll(cursor, opts): Promise<FeedPage> {
      const since = opts?.sinceTs !== undefined ? new Date(opts.sinceTs * 1000).toISOString() : cursor ? (JSON.parse(cursor) as { since: string }).since : null;
      if (since === null) return { changes: [], cursor: JSON.stringify({ since: new Date(now()).toISOString() }) };
      const changes: FeedPage['changes'] = [];
      let until = since;
      let page = await accounts.changedSince(since, null, 2000);
      for (;;) {
        for (const record of page.items) {
          const ts = record.modifiedTs ?? record.createdTs;
          changes.push(listedChange(accounts.objectType, record.deleted ? 'deleted' : 'created', record, versionId(record, ts), ts));
        }
        until = page.until ?? until;
        if (page.nextCursor === null || changes.length >= MAX_PER_POLL) break;
        page = await accounts.changedSince(since, page.nextCursor, 2000);
      }
      // Records stamped the same second as the last one read but committed after the query would
      // fall before a cursor of exactly that time: the next poll reads its last second again (their
      // event ids make the overlap harmless).
      return { changes, cursor: JSON.stringify({ since: new Date(Date.parse(until) - OVERLAP_MS).toISOString() }) };
    },
  };
}
