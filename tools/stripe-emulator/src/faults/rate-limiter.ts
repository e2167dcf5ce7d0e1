/**
 * Token bucket: `rps` tokens per second with a burst of one second's worth, which is how
 * Stripe's per-second limits behave from a client's point of view. Uses the monotonic clock so
 * a fake wall clock in tests cannot refill it.
 */
export class RateLimiter {
  private rps = 0;
  private tokens = 0;
  private lastRefill = performance.now();

  configure(rps: number): void {
    if (rps === this.rps) return;
    this.rps = rps;
    this.tokens = rps;
    this.lastRefill = performance.now();
  }

  /** True if the request may proceed. */
  take(): boolean {
    if (this.rps <= 0) return true;
    const now = performance.now();
    this.tokens = Math.min(this.rps, this.tokens + ((now - this.lastRefill) / 1000) * this.rps);
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  reset(): void {
    this.tokens = this.rps;
    this.lastRefill = performance.now();
  }
}
