import { CustomerService, DeadLetterService, InvoiceService, openOrm, type MikroORM, type Republish } from '@cs/domain';
import { createLogger } from '@cs/platform';
import { digestName, type ApiKey } from './api-keys';
import type { RateLimit } from './http/rate-limit';
import { buildApp } from './server';

const noKafka: Republish = () => Promise.reject(new Error('this test app has no Kafka: pass opts.republish'));

/**
 * The real app on this jest worker's database, for supertest (no Kafka needed: writes go to the
 * outbox). Dead-letter replays need `republish` (e.g. kafkaRepublish on a real producer). A key
 * given as a bare token is named by its digest, as API_KEYS names one.
 */
export async function testApp(opts: { apiKeys?: Array<ApiKey | string>; republish?: Republish; rateLimit?: RateLimit } = {}) {
  const orm: MikroORM = await openOrm({ databaseUrl: process.env.DATABASE_URL!, poolMax: 20 });
  const app = buildApp({
    logger: createLogger({ name: 'api-test', level: 'silent' }),
    environment: 'test',
    version: 'test',
    checks: {},
    customers: new CustomerService(orm),
    invoices: new InvoiceService(orm),
    orm,
    deadLetters: new DeadLetterService(orm),
    republish: opts.republish ?? noKafka,
    apiKeys: opts.apiKeys?.map((k) => (typeof k === 'string' ? { name: digestName(k), token: k } : k)),
    rateLimit: opts.rateLimit,
    systems: ['stripe'],
  });
  return { app, orm, close: () => orm.close() };
}
