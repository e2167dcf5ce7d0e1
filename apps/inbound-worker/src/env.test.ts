import { parseEnv } from '@cs/platform';
import { workerEnv } from './env';

const base = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', KAFKA_BROKERS: '127.0.0.1:9092' };

describe('inbound worker env', () => {
  it('serves health on its own port and needs no setting of any external system (each connector reads its own)', () => {
    const env = parseEnv(workerEnv, base);
    expect(env.HEALTH_PORT).toBe(8003);
    expect('STRIPE_SECRET_KEY' in env).toBe(false);
  });

  it('names each bad variable', () => {
    expect(() => parseEnv(workerEnv, { ...base, HEALTH_PORT: '0' })).toThrow(/HEALTH_PORT/);
  });
});
