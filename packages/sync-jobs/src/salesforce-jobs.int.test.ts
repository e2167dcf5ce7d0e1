/**
 * Backfill from Salesforce (Accounts → customers) through the same jobs as Stripe, and the API
 * quota guard: once the org's daily quota is used past SALESFORCE_QUOTA_STOP_SHARE, backfill stops
 * with a clear reason while live writes go on.
 */
import { openOrm, type MikroORM } from '@cs/domain';
import { TokenBucket } from '@cs/platform';
import { startTestOrg, type TestOrg } from '../../integrations/src/salesforce/test/emulator';
import { query, resetDatabase } from '../../../test/support/db';
import { importCustomers } from './backfill';
import { QuotaHold } from './page-reader';
import type { Progress } from './progress';

let orm: MikroORM;
let org: TestOrg;
beforeAll(async () => {
  orm = await openOrm({ databaseUrl: process.env.DATABASE_URL!, poolMax: 4 });
  org = await startTestOrg({ queryBatchSize: 200 }, { SALESFORCE_QUOTA_STOP_SHARE: '0.5' });
});
afterAll(async () => {
  await orm.close();
  await org.close();
});
beforeEach(async () => {
  await resetDatabase();
  await org.admin('POST', '/reset', {});
});

const silent: Progress = { start() {}, tick() {}, stop() {} };
const backfill = () => importCustomers({ orm, integration: org.sf, limiter: new TokenBucket(0), progress: silent, pageSize: 200 });
const accounts = async (n: number) => {
  for (let i = 0; i < n; i++) await org.admin('POST', '/ui/accounts', { Name: `Acct ${i}`, Billing_Email__c: `acct${i}@x.io` });
};

describe('Salesforce through the jobs', () => {
  it('imports Accounts as customers, each mapped to its Account once', async () => {
    await accounts(450);
    const result = await backfill();
    expect(result).toMatchObject({ seen: 450, created: 450 });
    const [row] = await query<{ n: string }>(`select count(distinct external_id) as n from external_mappings where external_system = 'salesforce' and external_object_type = 'Account'`);
    expect(row!.n).toBe('450');
  });

  it('stops backfill once the quota is past the stop share; live writes go on', async () => {
    await accounts(450);
    // One call already reports the usage: half the daily quota is gone.
    await org.admin('POST', '/quota', { used: 600, max: 1000 });
    await org.sf.ping();
    const err = await backfill().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(QuotaHold);
    expect(String((err as Error).message)).toMatch(/quota at \d+\/1000/);
    const [row] = await query<{ n: string }>('select count(*) as n from customers');
    expect(Number(row!.n)).toBeLessThan(450);
    // The live path is not held back by the guard.
    const created = await org.sf.catalogs.customer.create({ name: 'Live', email: 'live@x.io' }, 9001, { idempotencyKey: 'live-1' });
    expect(created).toMatchObject({ name: 'Live', internalId: 9001 });
  });
});
