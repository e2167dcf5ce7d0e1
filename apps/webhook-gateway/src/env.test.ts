import { parseEnv } from '@cs/platform';
import { gatewayEnv } from './env';

describe('webhook gateway env', () => {
  it('needs the webhook secret and accepts several during a rotation', () => {
    const env = parseEnv(gatewayEnv, { KAFKA_BROKERS: '127.0.0.1:9092', STRIPE_WEBHOOK_SECRET: 'whsec_new,whsec_old' });
    expect(env.STRIPE_WEBHOOK_SECRET).toEqual(['whsec_new', 'whsec_old']);
    expect(env.WEBHOOK_PORT).toBe(8001);
    expect(() => parseEnv(gatewayEnv, { KAFKA_BROKERS: '127.0.0.1:9092' })).toThrow('STRIPE_WEBHOOK_SECRET: required but not set');
    expect(() => parseEnv(gatewayEnv, { KAFKA_BROKERS: '127.0.0.1:9092', STRIPE_WEBHOOK_SECRET: 'nope' })).toThrow(/STRIPE_WEBHOOK_SECRET: expected whsec_/);
  });
});
