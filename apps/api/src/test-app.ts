import { CustomerService, openOrm, type MikroORM } from '@cs/domain';
import { createLogger } from '@cs/platform';
import { buildApp } from './server';

/** The real app on this jest worker's database, for supertest (no Kafka needed: writes go to the outbox). */
export async function testApp(opts: { apiKeys?: string[] } = {}) {
  const orm: MikroORM = await openOrm({ databaseUrl: process.env.DATABASE_URL!, poolMax: 20 });
  const app = buildApp({
    logger: createLogger({ name: 'api-test', level: 'silent' }),
    environment: 'test',
    version: 'test',
    checks: {},
    customers: new CustomerService(orm),
    apiKeys: opts.apiKeys,
  });
  return { app, orm, close: () => orm.close() };
}
