import { parseEnv } from '@cs/platform';
import { gatewayEnv } from './env';

describe('webhook gateway env', () => {
  it('needs only Kafka of its own (webhook secrets belong to each connector)', () => {
    const env = parseEnv(gatewayEnv, { KAFKA_BROKERS: '127.0.0.1:9092' });
    expect(env.WEBHOOK_PORT).toBe(8001);
    expect(env.WEBHOOK_LINGER_MS).toBe(2);
    expect(() => parseEnv(gatewayEnv, {})).toThrow('KAFKA_BROKERS: required but not set');
  });

  it('takes a linger of 0 to 50 ms, and says so otherwise', () => {
    expect(parseEnv(gatewayEnv, { KAFKA_BROKERS: 'k:9092', WEBHOOK_LINGER_MS: '0' }).WEBHOOK_LINGER_MS).toBe(0);
    expect(() => parseEnv(gatewayEnv, { KAFKA_BROKERS: 'k:9092', WEBHOOK_LINGER_MS: '51' })).toThrow('WEBHOOK_LINGER_MS');
  });
});
