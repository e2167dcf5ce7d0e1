import { parseEnv } from '@cs/platform';
import { workerEnv } from './env';

const base = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', KAFKA_BROKERS: '127.0.0.1:9092' };

describe('outbound worker env', () => {
  it('serves health on its own port and needs no setting of any external system (each connector reads its own)', () => {
    const env = parseEnv(workerEnv, base);
    expect(env.HEALTH_PORT).toBe(8002);
    expect('STRIPE_SECRET_KEY' in env).toBe(false);
  });

  it('names each bad variable', () => {
    expect(() => parseEnv(workerEnv, { ...base, HEALTH_PORT: '0' })).toThrow(/HEALTH_PORT/);
  });

  it('has circuit breaker settings with defaults, and refuses a threshold an outage would reach only after messages park', () => {
    expect(parseEnv(workerEnv, base)).toMatchObject({ CIRCUIT_FAILURE_THRESHOLD: 5, CIRCUIT_WINDOW_MS: 300_000, CIRCUIT_COOLDOWN_MS: 5_000 });
    expect(parseEnv(workerEnv, { ...base, CIRCUIT_FAILURE_THRESHOLD: '3', CIRCUIT_COOLDOWN_MS: '250' })).toMatchObject({ CIRCUIT_FAILURE_THRESHOLD: 3, CIRCUIT_COOLDOWN_MS: 250 });
    expect(() => parseEnv(workerEnv, { ...base, OUTBOUND_MAX_ATTEMPTS: '4', CIRCUIT_FAILURE_THRESHOLD: '4' })).toThrow(/CIRCUIT_FAILURE_THRESHOLD: must be below OUTBOUND_MAX_ATTEMPTS/);
    expect(() => parseEnv(workerEnv, { ...base, CIRCUIT_COOLDOWN_MS: '10' })).toThrow(/CIRCUIT_COOLDOWN_MS/);
  });
});
