import type { MikroORM } from '@cs/domain';
import { changeMessage, type Integration } from '@cs/integrations';
import type { Logger, TokenBucket } from '@cs/platform';
import { readCursor, startPoint, withLeaderLock, writeCursor } from './cursors';
import type { InboundFeed } from './inbound-publisher';

export interface CatchUpOptions {
  orm: MikroORM;
  integration: Integration;
  feed: InboundFeed;
  logger: Logger;
  limiter?: TokenBucket;
  /** Called when the feed says changes were lost (a cursor past its retention): a full reconcile must run. */
  onGap?: () => Promise<void>;
}

export interface CatchUpResult {
  ran: boolean;
  /** Changes fed into the inbound path. */
  changes: number;
}

/**
 * Reads a system's change feed from its persisted, opaque cursor and feeds the changes into the
 * inbound path; dedupe there makes the overlap with webhooks harmless. One instance at a time
 * (advisory lock); the cursor moves only after the changes are durably on Kafka. What the cursor
 * means is the connector's business (Stripe: a time in its events API).
 */
export class CatchUpPoller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  readonly cursorName: string;

  constructor(private readonly opts: CatchUpOptions) {
    this.cursorName = `catchup:${opts.integration.system}`;
  }

  /** One read; `sinceTs` (seconds) restarts from that time instead of the cursor, where the feed can. */
  async runOnce(sinceTs?: number): Promise<CatchUpResult> {
    const { integration } = this.opts;
    const feed = integration.feed;
    if (!feed) return { ran: false, changes: 0 };
    const result = await withLeaderLock(this.opts.orm.em.fork(), this.cursorName, async (em) => {
      const stored = await readCursor<unknown>(em, this.cursorName);
      // Cursors are strings; one written before they were opaque is its JSON.
      const cursor = stored === null ? null : typeof stored === 'string' ? stored : JSON.stringify(stored);
      // Without a cursor of its own, the feed begins where the system's change paths first started.
      const since = sinceTs ?? (cursor === null ? await startPoint(this.opts.orm.em.fork(), integration.system) : undefined);
      await this.opts.limiter?.take();
      const page = await feed.poll(cursor, { sinceTs: since });
      if (page.warning) this.opts.logger.warn({ system: integration.system }, page.warning);
      if (page.gap) {
        this.opts.logger.error({ system: integration.system }, 'change feed cursor is past the retention: changes were lost, running a reconciliation');
        await this.opts.onGap?.();
      }
      await this.opts.feed(page.changes.map((c) => changeMessage(integration.system, c, 'events_api')));
      await writeCursor(em, this.cursorName, page.cursor);
      return { ran: true, changes: page.changes.length };
    });
    if (result && result.changes > 0) this.opts.logger.info({ changes: result.changes, system: integration.system }, 'caught up from the change feed');
    return result ?? { ran: false, changes: 0 };
  }

  /** Polls every `intervalMs`, starting now (after downtime, catching up is the first thing to do). */
  start(intervalMs: number): void {
    if (!this.opts.integration.feed) return;
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
