import { parseEnv } from '@cs/platform';
import { gatewayEnv } from './env';

describe('webhook gateway env', () => {
  it('needs only Kafka of its own (webhook secrets belong to each connector)', () => {
    const env = parseEnv(gatewayEnv, { KAFKA_BROKERS: '127.0.0.1:9092' });
    expect(env.WEBHOOK_PORT).toBe(8001);
    expect(() => parseEnv(gatewayEnv, {})).toThrow('KAFKA_BROKERS: required but not set');
  });
});
