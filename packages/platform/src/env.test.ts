import { z } from 'zod';
import { baseEnv, booleanFlag, brokerList, databaseEnv, EnvError, kafkaEnv, parseEnv, postgresUrl } from './env';

const schema = baseEnv.extend(databaseEnv.shape).extend(kafkaEnv.shape);
const good = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.2:9093' };

function problems(env: Record<string, string>): string[] {
  try {
    parseEnv(schema, env);
  } catch (err) {
    if (err instanceof EnvError) return err.problems;
    throw err;
  }
  return [];
}

describe('parseEnv', () => {
  it('applies defaults and parses lists', () => {
    const env = parseEnv(schema, good);
    expect(env.KAFKA_BROKERS).toEqual(['127.0.0.1:9092', '127.0.0.2:9093']);
    expect(env.NODE_ENV).toBe('development');
    expect(env.LOG_LEVEL).toBe('info');
    expect(env.METRICS).toBe(true);
    expect(env.KAFKA_CLIENT_ID).toBe('customer-sync');
  });

  it('names each missing or bad variable on its own line', () => {
    const lines = problems({ KAFKA_BROKERS: 'not a broker', LOG_LEVEL: 'loud' });
    expect(lines).toHaveLength(3);
    expect(lines).toEqual(
      expect.arrayContaining([
        'DATABASE_URL: required but not set',
        expect.stringMatching(/^KAFKA_BROKERS: expected a comma list of host:port/),
        expect.stringMatching(/^LOG_LEVEL: /),
      ]),
    );
  });

  it('treats empty strings as unset', () => {
    expect(problems({ ...good, DATABASE_URL: '' })).toEqual(['DATABASE_URL: required but not set']);
  });

  it('parses booleans strictly: "false" is false and "maybe" is an error', () => {
    const flag = z.object({ F: booleanFlag(true) });
    expect(parseEnv(flag, { F: 'false' }).F).toBe(false);
    expect(parseEnv(flag, { F: 'OFF' }).F).toBe(false);
    expect(parseEnv(flag, { F: '1' }).F).toBe(true);
    expect(parseEnv(flag, {}).F).toBe(true);
    expect(() => parseEnv(flag, { F: 'maybe' })).toThrow(/F: expected true\/false/);
  });

  it('rejects URLs that are not postgres URLs and brokers without ports', () => {
    expect(postgresUrl.safeParse('mysql://x@y/z').success).toBe(false);
    expect(brokerList.safeParse('localhost').success).toBe(false);
  });
});
