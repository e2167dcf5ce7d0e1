/** What a bucket answers a caller that cannot wait for a token (the API, answering 429). */
export interface TakeResult {
  /** A token was there and is taken. */
  taken: boolean;
  /** Whole tokens left. */
  remaining: number;
  /** Milliseconds until the next token (0 when one was taken). */
  retryInMs: number;
  /** Milliseconds until the bucket is full again. */
  fullInMs: number;
}

/**
 * A token bucket: `take()` resolves when a token is available, at `ratePerSec` on average with
 * bursts up to `burst`. Used to stay under a provider's rate limit instead of earning 429s, and,
 * through `tryTake()`, to hand out our own 429s.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst = Math.max(1, Math.ceil(ratePerSec / 10)),
    /** The clock (tests pass their own). */
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = this.burst;
    this.last = now();
  }

  take(): Promise<void> {
    if (!Number.isFinite(this.ratePerSec) || this.ratePerSec <= 0) return Promise.resolve();
    this.refill();
    if (this.queue.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.queue.push(resolve);
      this.schedule();
    });
  }

  /** Takes a token if one is there now, never waits; for callers that answer "slow down" instead. */
  tryTake(): TakeResult {
    if (!Number.isFinite(this.ratePerSec) || this.ratePerSec <= 0) return { taken: true, remaining: this.burst, retryInMs: 0, fullInMs: 0 };
    this.refill();
    const taken = this.queue.length === 0 && this.tokens >= 1;
    if (taken) this.tokens -= 1;
    const msFor = (tokens: number) => Math.max(0, Math.ceil((tokens / this.ratePerSec) * 1000));
    return { taken, remaining: Math.floor(this.tokens), retryInMs: taken ? 0 : msFor(1 - this.tokens), fullInMs: msFor(this.burst - this.tokens) };
  }

  /** Full again: forgetting this bucket and making a new one later changes nothing. */
  isFull(): boolean {
    this.refill();
    return this.queue.length === 0 && this.tokens >= this.burst;
  }

  /** A provider said "slow down": spend the bucket so the next calls wait. */
  drain(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
  }

  private refill() {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSec);
    this.last = now;
  }

  private schedule() {
    if (this.timer) return;
    const wait = Math.max(1, Math.ceil(((1 - this.tokens) / this.ratePerSec) * 1000));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      while (this.queue.length > 0 && this.tokens >= 1) {
        this.tokens -= 1;
        this.queue.shift()!();
      }
      if (this.queue.length > 0) this.schedule();
    }, wait);
  }
}
