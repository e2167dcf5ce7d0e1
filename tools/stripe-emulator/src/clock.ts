/**
 * Wall-clock source for everything Stripe timestamps (`created`, idempotency expiry).
 * Injectable so tests can move time forward without sleeping; rate limiting, latency and
 * webhook signatures deliberately use the real clock instead.
 */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/**
 * Hands out `created` seconds that never go backwards. Lists are ordered by (created, insertion)
 * and paginated by binary search on `created`, which is only valid if the sequence is monotonic;
 * clamping keeps that true even if the system (or a test) clock steps back.
 */
export class MonotonicSeconds {
  private last = 0;
  constructor(private readonly clock: Clock) {}

  next(): number {
    const now = Math.floor(this.clock() / 1000);
    if (now > this.last) this.last = now;
    return this.last;
  }

  reset(): void {
    this.last = 0;
  }
}
