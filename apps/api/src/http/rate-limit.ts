import type { RequestHandler } from 'express';
import { apiThrottled, tooManyRequests, TokenBucket } from '@cs/platform';
import type { ApiEnv } from '../env';
import { apiKeyName } from './actor';

export interface RateLimit {
  /** Tokens per second per key. */
  perSecond: number;
  /** Bucket size: requests a key may make at once. */
  burst: number;
  /** The clock (tests pass their own). */
  now?: () => number;
}

/** API_RATE_LIMIT_*: undefined when the rate is 0 (no limit). */
export function rateLimitFromEnv(env: Pick<ApiEnv, 'API_RATE_LIMIT_PER_SECOND' | 'API_RATE_LIMIT_BURST'>): RateLimit | undefined {
  const perSecond = env.API_RATE_LIMIT_PER_SECOND;
  if (perSecond === 0) return undefined;
  return { perSecond, burst: env.API_RATE_LIMIT_BURST ?? Math.max(1, Math.ceil(2 * perSecond)) };
}

// A full bucket is the same as none: dropping those now and then bounds the map by the clients
// active within a refill time (addresses only matter for an open API, which production refuses).
const SWEEP_EVERY_MS = 60_000;

/**
 * A token bucket per API key — per client address when the API runs open — held in this process:
 * each API replica has its own buckets. Mounted after the key check on /api only, so health,
 * metrics, the API description and the console's files are never throttled. Every answer says
 * where its caller stands (RateLimit-Limit/-Remaining/-Reset, the IETF draft's header fields);
 * a refused request is a 429 in the usual error shape, with Retry-After.
 */
export function rateLimit(limit: RateLimit): RequestHandler {
  const now = limit.now ?? Date.now;
  const buckets = new Map<string, TokenBucket>();
  let sweptAt = now();
  return (req, res, next) => {
    if (now() - sweptAt >= SWEEP_EVERY_MS) {
      for (const [who, bucket] of buckets) if (bucket.isFull()) buckets.delete(who);
      sweptAt = now();
    }
    const name = apiKeyName(res);
    const who = name !== undefined ? `key:${name}` : `address:${req.ip ?? 'unknown'}`;
    let bucket = buckets.get(who);
    if (!bucket) buckets.set(who, (bucket = new TokenBucket(limit.perSecond, limit.burst, now)));
    const taken = bucket.tryTake();
    res.setHeader('RateLimit-Limit', String(limit.burst));
    res.setHeader('RateLimit-Remaining', String(taken.remaining));
    res.setHeader('RateLimit-Reset', String(Math.ceil(taken.fullInMs / 1000)));
    if (taken.taken) return next();
    // The label is the key's name, a bounded set; addresses are not, so an open API counts as one.
    apiThrottled().inc({ key: name ?? 'anonymous' });
    next(tooManyRequests(taken.retryInMs / 1000, name !== undefined ? `too many requests for API key "${name}"` : 'too many requests from this address'));
  };
}
