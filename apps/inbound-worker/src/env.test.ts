import { parseEnv } from '@cs/platform';
import { workerEnv } from './env';

const base = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', KAFKA_BROKERS: '127.0.0.1:9092' };

describe('inbound worker env', () => {
  it('serves health on its own port and needs no setting of any external system (each connector reads its own)', () => {
    const env = parseEnv(workerEnv, base);
    expect(env.HEALTH_PORT).toBe(8003);
    expect('STRIPE_SECRET_KEY' in env).toBe(false);
  });

  it('runs at nice 10 unless told otherwise, and refuses a value outside -20 … 19', () => {
    expect(parseEnv(workerEnv, base).INBOUND_WORKER_NICE).toBe(10);
    expect(parseEnv(workerEnv, { ...base, INBOUND_WORKER_NICE: '0' }).INBOUND_WORKER_NICE).toBe(0);
    expect(() => parseEnv(workerEnv, { ...base, INBOUND_WORKER_NICE: '20' })).toThrow(/INBOUND_WORKER_NICE/);
  });

  it('names each bad variable', () => {
    expect(() => parseEnv(workerEnv, { ...base, HEALTH_PORT: '0' })).toThrow(/HEALTH_PORT/);
  });

  it('keeps dedupe keys 30 days and sync_events 90 by default, two months made ahead, the job hourly', () => {
    expect(parseEnv(workerEnv, base)).toMatchObject({
      PROCESSED_EVENTS_RETENTION_DAYS: 30,
      SYNC_EVENTS_RETENTION_DAYS: 90,
      SYNC_EVENTS_PARTITIONS_AHEAD: 2,
      RETENTION_INTERVAL_MS: 3_600_000,
    });
  });

  it("refuses a dedupe window shorter than an enabled system's redelivery window, naming the floor", () => {
    // Stripe retries a webhook for 3 days; Salesforce keeps CDC events 72 hours.
    for (const SYNC_SYSTEMS of ['stripe', 'salesforce', 'stripe,salesforce']) {
      expect(() => parseEnv(workerEnv, { ...base, SYNC_SYSTEMS, PROCESSED_EVENTS_RETENTION_DAYS: '2' })).toThrow(
        /^PROCESSED_EVENTS_RETENTION_DAYS: 2 days is shorter than (stripe|salesforce)'s redelivery window \(72 hours\): a redelivered event would be applied again; set at least 3$/,
      );
      expect(parseEnv(workerEnv, { ...base, SYNC_SYSTEMS, PROCESSED_EVENTS_RETENTION_DAYS: '3' }).PROCESSED_EVENTS_RETENTION_DAYS).toBe(3);
    }
    expect(() => parseEnv(workerEnv, { ...base, SYNC_EVENTS_RETENTION_DAYS: '0' })).toThrow(/SYNC_EVENTS_RETENTION_DAYS/);
  });

  it('has circuit breaker settings with defaults, and refuses a threshold an outage would reach only after messages park', () => {
    expect(parseEnv(workerEnv, base)).toMatchObject({ CIRCUIT_FAILURE_THRESHOLD: 5, CIRCUIT_WINDOW_MS: 300_000, CIRCUIT_COOLDOWN_MS: 5_000 });
    expect(parseEnv(workerEnv, { ...base, CIRCUIT_FAILURE_THRESHOLD: '3', CIRCUIT_COOLDOWN_MS: '250' })).toMatchObject({ CIRCUIT_FAILURE_THRESHOLD: 3, CIRCUIT_COOLDOWN_MS: 250 });
    expect(() => parseEnv(workerEnv, { ...base, INBOUND_MAX_ATTEMPTS: '4', CIRCUIT_FAILURE_THRESHOLD: '4' })).toThrow(/CIRCUIT_FAILURE_THRESHOLD: must be below INBOUND_MAX_ATTEMPTS/);
    expect(() => parseEnv(workerEnv, { ...base, CIRCUIT_COOLDOWN_MS: '10' })).toThrow(/CIRCUIT_COOLDOWN_MS/);
  });
});
