import { parseEnv } from '@cs/platform';
import { digestName } from './api-keys';
import { apiEnv } from './env';
import { rateLimitFromEnv } from './http/rate-limit';

const base = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', KAFKA_BROKERS: '127.0.0.1:9092' };

describe('api env', () => {
  it('defaults to port 8000 and an open API outside production', () => {
    const env = parseEnv(apiEnv, base);
    expect(env.API_PORT).toBe(8000);
    expect(env.API_KEYS).toBeUndefined();
    expect(env.RELAY_ENABLED).toBe(true);
    expect(rateLimitFromEnv(env)).toEqual({ perSecond: 500, burst: 1000 });
  });

  it('reads API_KEYS as a comma list of name:token or bare tokens (named by their digest), and refuses short keys', () => {
    expect(parseEnv(apiEnv, { ...base, API_KEYS: 'ci-bot:aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbb' }).API_KEYS).toEqual([
      { name: 'ci-bot', token: 'aaaaaaaaaaaaaaaa' },
      { name: digestName('bbbbbbbbbbbbbbbb'), token: 'bbbbbbbbbbbbbbbb' },
    ]);
    expect(() => parseEnv(apiEnv, { ...base, API_KEYS: 'short' })).toThrow(/API_KEYS: each key must be at least 16 characters/);
  });

  it('reads the rate limit: 0 turns it off, the burst defaults to two seconds of the rate, nonsense is refused', () => {
    expect(rateLimitFromEnv(parseEnv(apiEnv, { ...base, API_RATE_LIMIT_PER_SECOND: '0' }))).toBeUndefined();
    expect(rateLimitFromEnv(parseEnv(apiEnv, { ...base, API_RATE_LIMIT_PER_SECOND: '0.5' }))).toEqual({ perSecond: 0.5, burst: 1 });
    expect(rateLimitFromEnv(parseEnv(apiEnv, { ...base, API_RATE_LIMIT_PER_SECOND: '20', API_RATE_LIMIT_BURST: '5' }))).toEqual({ perSecond: 20, burst: 5 });
    expect(() => parseEnv(apiEnv, { ...base, API_RATE_LIMIT_PER_SECOND: '-1' })).toThrow(/API_RATE_LIMIT_PER_SECOND/);
    expect(() => parseEnv(apiEnv, { ...base, API_RATE_LIMIT_PER_SECOND: 'lots' })).toThrow(/API_RATE_LIMIT_PER_SECOND/);
    expect(() => parseEnv(apiEnv, { ...base, API_RATE_LIMIT_BURST: '0' })).toThrow(/API_RATE_LIMIT_BURST/);
  });

  it('refuses a bad port', () => {
    expect(() => parseEnv(apiEnv, { ...base, API_PORT: '70000' })).toThrow(/API_PORT/);
  });
});
