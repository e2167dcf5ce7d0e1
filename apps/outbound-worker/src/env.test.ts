import { parseEnv } from '@cs/platform';
import { workerEnv } from './env';

const base = {
  DATABASE_URL: 'postgres://u@127.0.0.1:5432/db',
  KAFKA_BROKERS: '127.0.0.1:9092',
  STRIPE_SECRET_KEY: 'sk_test_abc',
  STRIPE_WEBHOOK_SECRET: 'whsec_abc',
};

describe('outbound worker env', () => {
  it('serves health on its own port and reads the Stripe settings', () => {
    const env = parseEnv(workerEnv, { ...base, STRIPE_API_BASE: 'http://127.0.0.1:12111' });
    expect(env.HEALTH_PORT).toBe(8002);
    expect(env.STRIPE_API_BASE).toBe('http://127.0.0.1:12111');
  });

  it('refuses a key that is not a Stripe secret key', () => {
    expect(() => parseEnv(workerEnv, { ...base, STRIPE_SECRET_KEY: 'pk_test_abc' })).toThrow(/STRIPE_SECRET_KEY: expected a Stripe secret key/);
  });
});
