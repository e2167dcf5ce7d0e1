import type { MikroORM } from '@cs/domain';
import { adapterOf, changeMessage, listedChange, type Integration, type StreamBatch } from '@cs/integrations';
import type { Logger } from '@cs/platform';
import { readCursor, startPoint, writeCursor } from './cursors';
import type { InboundFeed } from './inbound-publisher';
import { whileHoldingLock } from './session-lock';

export interface StreamFollowerOptions {
  orm: MikroORM;
  integration: Integration;
  feed: InboundFeed;
  logger: Logger;
  /** The stream reported lost changes without naming the records (an expired cursor, an overflow): reconcile. */
  onGap?: () => Promise<void>;
  /** How long to wait before trying again when the stream fails or another instance leads. */
  retryMs?: number;
  /** How often the leader checks that its lock's session is alive (a database restart ends it). */
  heartbeatMs?: number;
}

/**
 * Follows a system's push-based change stream (Salesforce CDC) and feeds each batch into the
 * inbound path, then persists the stream's cursor (sync_cursors, `stream:<system>`): a restart or a
 * kill -9 resumes from the last batch durably on Kafka, and what it redelivers is deduped by event
 * id. Records a gap names are read again and fed as changes; a gap without names runs `onGap`.
 *
 * One instance follows at a time: it holds a session advisory lock on a connection of its own for
 * as long as it follows, and the others wait for it (a dead leader's lock goes with its session).
 */
export class StreamFollower {
  readonly cursorName: string;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(private readonly opts: StreamFollowerOptions) {
    this.cursorName = `stream:${opts.integration.system}`;
  }

  start(): void {
    if (!this.opts.integration.stream) return;
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    const retryMs = this.opts.retryMs ?? 5_000;
    while (!this.abort.signal.aborted) {
      try {
        const led = await whileHoldingLock(this.opts.orm, this.cursorName, (signal) => this.follow(signal), { heartbeatMs: this.opts.heartbeatMs, stop: this.abort.signal });
        if (!led) await this.sleep(retryMs);
      } catch (err) {
        this.opts.logger.warn({ err, system: this.opts.integration.system }, 'change stream failed; resubscribing');
        await this.sleep(retryMs);
      }
    }
  }

  private async follow(signal: AbortSignal): Promise<void> {
    const { integration, logger } = this.opts;
    const system = integration.system;
    const stored = await readCursor<string>(this.opts.orm.em.fork(), this.cursorName);
    // A first subscription starts at the stream's newest event: the change feed reads what came
    // before it from this start point on (see startPoint), so it must be recorded first.
    if (stored === null) await startPoint(this.opts.orm.em.fork(), system);
    logger.info({ system, resumed: stored !== null }, 'following the change stream');
    await integration.stream!.subscribe(stored, (batch) => this.take(batch), {
      signal,
      onReconnect: (err, delayMs) => logger.warn({ err, system, delayMs }, 'change stream interrupted; subscribing again'),
    });
  }

  /** One batch: its changes (and any gap's records, read again) on Kafka, then its cursor persisted. */
  private async take(batch: StreamBatch): Promise<void> {
    const { integration, logger } = this.opts;
    const system = integration.system;
    const messages = batch.changes.map((c) => changeMessage(system, c, 'stream'));
    if (batch.gap) {
      logger.warn({ system, records: batch.gap.externalIds.length }, 'change stream reported a gap: reading the records again');
      if (batch.gap.externalIds.length === 0) await this.opts.onGap?.();
      const adapter = adapterOf(integration, 'customer');
      for (const id of batch.gap.externalIds) {
        const record = await adapter.get(id);
        // Read now, so it is the record's newest state: stamped now, it is never older than an event already applied.
        const now = Math.floor(Date.now() / 1000);
        if (record) messages.push(changeMessage(system, listedChange(adapter.objectType, record.deleted ? 'deleted' : 'created', record, `gap:${id}:${now}`, now), 'stream'));
      }
    }
    if (messages.length > 0) await this.opts.feed(messages);
    await writeCursor(this.opts.orm.em.fork(), this.cursorName, batch.cursor);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.abort.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  }
}
