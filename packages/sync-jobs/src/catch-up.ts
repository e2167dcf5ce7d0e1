import type { MikroORM } from '@cs/domain';
import { changeMessage, type Integration } from '@cs/integrations';
import type { Logger, TokenBucket } from '@cs/platform';
import { readCursor, withLeaderLock, writeCursor } from './cursors';
import type { InboundFeed } from './inbound-publisher';

export interface CatchUpOptions {
  orm: MikroORM;
  integration: Integration;
  feed: InboundFeed;
  logger: Logger;
  limiter?: TokenBucket;
  /** Events show up in the events API at most this long after their timestamp. */
  overlapSec?: number;
  /** Stripe keeps events for 30 days. */
  retentionDays?: number;
  /** Called when the cursor is older than the source keeps events: a full reconcile must run instead. */
  onRetentionExceeded?: () => Promise<void>;
  now?: () => number;
}

export interface CatchUpResult {
  ran: boolean;
  events: number;
  fromTs: number;
  toTs: number;
}

interface Cursor {
  /** Newest event second fed so far (or, when quiet, now minus the overlap). */
  ts: number;
  /** Ids of the events at exactly `ts` already fed: the next poll starts at `ts` and skips them. */
  ids: string[];
}

const DAY = 86_400;

/**
 * Lists the source's events since a persisted cursor (oldest first) and feeds them into the
 * inbound path; dedupe there makes the overlap with webhooks harmless. One instance at a time
 * (advisory lock); the cursor moves only after the events are durably on Kafka.
 */
export class CatchUpPoller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  readonly cursorName: string;

  constructor(private readonly opts: CatchUpOptions) {
    this.cursorName = `catchup:${opts.integration.system}`;
  }

  async runOnce(since?: number): Promise<CatchUpResult> {
    const now = Math.floor((this.opts.now?.() ?? Date.now()) / 1000);
    const overlap = this.opts.overlapSec ?? 60;
    const retention = (this.opts.retentionDays ?? 30) * DAY;
    const result = await withLeaderLock(this.opts.orm.em.fork(), this.cursorName, async (em) => {
      const stored = await readCursor<Cursor>(em, this.cursorName);
      // First run ever: start a little before now; history is what backfill is for.
      let fromTs = since ?? stored?.ts ?? now - overlap;
      const age = now - fromTs;
      if (age > retention - 5 * DAY) this.opts.logger.warn({ cursor: new Date(fromTs * 1000).toISOString(), ageDays: Math.round(age / DAY) }, 'catch-up cursor is close to the event retention limit');
      if (age > retention) {
        this.opts.logger.error('catch-up cursor is older than event retention: events were lost, running a reconciliation instead');
        await this.opts.onRetentionExceeded?.();
        fromTs = now - retention + DAY;
      }
      await this.opts.limiter?.take();
      const listed = await this.opts.integration.listEvents(fromTs, now + 1);
      const seen = new Set(since === undefined && stored ? stored.ids : []);
      const events = listed.filter((e) => !(e.created === stored?.ts && seen.has(e.eventId)));
      const { integration } = this.opts;
      const changes = events.map((e) => integration.toNeutralChange(e.event)).filter((c) => c !== null);
      await this.opts.feed(changes.map((c) => changeMessage(integration.system, c, 'events_api')));
      // Events show up in the list within `overlap` seconds of their timestamp: past that, the
      // cursor may move on even when nothing happened (so a quiet account never looks "stale").
      const newest = listed.reduce((max, e) => Math.max(max, e.created), stored?.ts ?? 0);
      const ts = Math.max(newest, now - overlap);
      const ids = listed.filter((e) => e.created === ts).map((e) => e.eventId);
      await writeCursor(em, this.cursorName, { ts, ids: ts === stored?.ts ? [...new Set([...seen, ...ids])] : ids } satisfies Cursor);
      return { ran: true, events: events.length, fromTs, toTs: now };
    });
    if (result && result.events > 0) this.opts.logger.info({ events: result.events, from: result.fromTs }, 'caught up from the events API');
    return result ?? { ran: false, events: 0, fromTs: 0, toTs: 0 };
  }

  /** Polls every `intervalMs`, starting now (after downtime, catching up is the first thing to do). */
  start(intervalMs: number): void {
    const tick = async () => {
      this.running = this.runOnce().catch((err: unknown) => this.opts.logger.warn({ err }, 'catch-up poll failed; will retry'));
      await this.running;
      if (this.timer !== undefined) this.timer = setTimeout(() => void tick(), intervalMs);
    };
    this.timer = setTimeout(() => void tick(), 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
