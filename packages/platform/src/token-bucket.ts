/**
 * A token bucket: `take()` resolves when a token is available, at `ratePerSec` on average with
 * bursts up to `burst`. Used to stay under a provider's rate limit instead of earning 429s.
 */
export class TokenBucket {
  private tokens: number;
  private last = Date.now();
  private queue: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst = Math.max(1, Math.ceil(ratePerSec / 10)),
  ) {
    this.tokens = this.burst;
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

  /** A provider said "slow down": spend the bucket so the next calls wait. */
  drain(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
  }

  private refill() {
    const now = Date.now();
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
