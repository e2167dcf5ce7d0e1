/**
 * Wall-clock source (ms) for everything Salesforce timestamps: CreatedDate, SystemModstamp,
 * token expiry, CDC commitTimestamp and event retention. Injectable so tests can move time
 * forward without sleeping; latency and keep-alive timers deliberately use real time.
 */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/** A clock that never goes backwards, so SystemModstamp ordering matches write order. */
export class MonotonicClock {
  private last = 0;
  constructor(private readonly clock: Clock) {}

  now(): number {
    const t = this.clock();
    if (t > this.last) this.last = t;
    return this.last;
  }

  reset(): void {
    this.last = 0;
  }
}

/** Salesforce's REST datetime format: 2026-12-01T18:41:49.000+0000. */
export function sfDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** Parses ISO-8601 as Salesforce accepts it (Z, +hh:mm or +hhmm); NaN if malformed. */
export function parseSfDateTime(raw: string): number {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?)(Z|[+-]\d{2}:?\d{2})$/.exec(raw);
  if (m === null) return Number.NaN;
  const zone = m[2] === 'Z' ? 'Z' : `${(m[2] ?? '').slice(0, 3)}:${(m[2] ?? '').slice(-2)}`;
  return Date.parse(`${m[1] ?? ''}${zone}`);
}
