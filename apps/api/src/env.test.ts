import { parseEnv } from '@cs/platform';
import { apiEnv } from './env';

const base = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', KAFKA_BROKERS: '127.0.0.1:9092' };

describe('api env', () => {
  it('defaults to port 8000 and an open API outside production', () => {
    const env = parseEnv(apiEnv, base);
    expect(env.API_PORT).toBe(8000);
    expect(env.API_KEYS).toBeUndefined();
    expect(env.RELAY_ENABLED).toBe(true);
  });

  it('reads API_KEYS as a comma list and refuses short keys', () => {
    expect(parseEnv(apiEnv, { ...base, API_KEYS: 'aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbb' }).API_KEYS).toEqual(['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb']);
    expect(() => parseEnv(apiEnv, { ...base, API_KEYS: 'short' })).toThrow(/API_KEYS: each key must be at least 16 characters/);
  });

  it('refuses a bad port', () => {
    expect(() => parseEnv(apiEnv, { ...base, API_PORT: '70000' })).toThrow(/API_PORT/);
  });
});
