import type { ExternalCustomer, ExternalRecord, ListPage } from '@cs/integrations';
import type { TokenBucket } from '@cs/platform';

/** Non-urgent work stopped because the system asked it to (its API quota): resume later, nothing is lost. */
export class QuotaHold extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'QuotaHold';
  }
}

export type Page<X extends ExternalRecord = ExternalCustomer> = ListPage<X>;

/**
 * Lists an external system's records (of one catalog) in order, in the background, up to `ahead` pages before
 * the reader: under a rate limit listing is the bottleneck, so it never waits for the applying.
 * Each read needs the cursor of the one before, so reads stay sequential. A listing error is
 * kept and thrown by the next `next()`.
 */
export class PageReader<X extends ExternalRecord = ExternalCustomer> {
  private readonly buffer: Page<X>[] = [];
  private finished = false;
  private stopped = false;
  private error: unknown = undefined;
  private wakeReader: (() => void) | undefined;
  private wakeWriter: (() => void) | undefined;

  constructor(
    private readonly adapter: { list(cursor: string | null, limit: number): Promise<ListPage<X>> },
    private readonly limiter: TokenBucket,
    private after: string | null,
    private readonly limit = 100,
    private readonly ahead = 4,
    /** Asked before every read: a reason to stop (a quota nearly used up) ends the listing with an error. */
    private readonly hold: () => string | null = () => null,
  ) {
    void this.run();
  }

  /** The next page, or null after the last one. */
  async next(): Promise<Page<X> | null> {
    return (await this.nextPages(1))[0] ?? null;
  }

  /**
   * Every page read so far (at least one, at most `max`), or [] after the last one: a consumer
   * slower than the reads catches up by taking several at once.
   */
  async nextPages(max: number): Promise<Page<X>[]> {
    while (this.buffer.length === 0) {
      if (this.error !== undefined) throw this.error;
      if (this.finished) return [];
      await new Promise<void>((resolve) => (this.wakeReader = resolve));
    }
    const pages = this.buffer.splice(0, Math.max(1, max));
    this.wakeWriter?.();
    return pages;
  }

  stop(): void {
    this.stopped = true;
    this.wakeWriter?.();
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopped) {
        while (this.buffer.length >= this.ahead && !this.stopped) await new Promise<void>((resolve) => (this.wakeWriter = resolve));
        if (this.stopped) break;
        await this.limiter.take();
        const held = this.hold();
        if (held) throw new QuotaHold(held);
        const page = await this.adapter.list(this.after, this.limit);
        this.buffer.push(page);
        if (page.nextCursor === null) break;
        this.after = page.nextCursor;
        this.wakeReader?.();
      }
    } catch (err) {
      this.error = err ?? new Error('listing failed');
    }
    this.finished = true;
    this.wakeReader?.();
  }
}
