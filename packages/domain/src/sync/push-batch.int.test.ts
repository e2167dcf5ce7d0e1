/**
 * The bulk push against the Salesforce emulator: a backlog goes out in sObject Collections, 200
 * records a call, each record's result on its own; what fails is left to the single path.
 */
import type { CatalogAdapter, ExternalInvoice, Integration, InvoiceFields } from '@cs/integrations';
import { envelope, type CustomerEventMessage, type InvoiceEventMessage, type MessageContext } from '@cs/kafka-schemas';
import { createLogger, TokenBucket } from '@cs/platform';
import { startTestOrg, type TestOrg } from '../../../integrations/src/salesforce/test/emulator';
import { query, resetDatabase } from '../../../../test/support/db';
import { InvoiceService } from '../invoices/service';
import { openOrm, type MikroORM } from '../orm';
import { pushCustomerBatch } from './push-customer';
import { pushInvoice } from './push-invoice';
import type { PushDeps } from './push-record';

let orm: MikroORM;
let org: TestOrg;
let deps: PushDeps;
beforeAll(async () => {
  orm = await openOrm({ databaseUrl: process.env.DATABASE_URL!, poolMax: 4 });
  org = await startTestOrg();
  deps = { orm, integration: org.sf, limiter: new TokenBucket(10_000), logger: createLogger({ name: 'bulk-test', level: 'silent' }) };
});
afterAll(async () => {
  await orm.close();
  await org.close();
});
beforeEach(async () => {
  await resetDatabase();
  await org.admin('POST', '/reset', { faults: true });
});

const ctx: MessageContext = { key: 'k', topic: 't', partition: 0, offset: '0', attempt: 1 };
const wave = (ids: number[], origin: 'internal' | 'salesforce' = 'internal') =>
  ids.map((id) => ({ message: envelope({ type: 'customer.updated', idempotency_key: `customer:${id}:v1`, origin, payload: { customer_id: id, version: 1 } }) as CustomerEventMessage, ctx }));
const seed = async (n: number) =>
  (await query<{ id: number }>(`insert into customers (name, email) select 'Bulk ' || g, 'bulk' || g || '@x.io' from generate_series(1, $1) g returning id`, [n])).map((r) => r.id);
const writeCalls = async () => {
  const stats = (await org.admin<{ requests: { by_route: Record<string, number> } }>('GET', '/stats')).body.requests.by_route;
  return Object.entries(stats).filter(([route]) => /^(PATCH|POST|DELETE) .*sobjects/.test(route)).reduce((n, [, c]) => n + c, 0);
};

describe('bulk push to Salesforce', () => {
  it('creates a backlog of 450 in three calls, then updates it in three more; every record mapped once with its audit row', async () => {
    const ids = await seed(450);
    await org.admin('POST', '/stats/reset');
    const pushed = await pushCustomerBatch(deps, wave(ids));
    expect(pushed.size).toBe(450);
    expect(await writeCalls()).toBe(3);
    const accounts = (await org.admin<Array<{ Customer_Sync_Id__c: string }>>('GET', '/accounts')).body;
    expect(new Set(accounts.map((a) => a.Customer_Sync_Id__c)).size).toBe(450);
    expect((await query<{ n: string }>(`select count(*) as n from external_mappings where external_system = 'salesforce' and last_synced_hash is not null`))[0]!.n).toBe('450');
    expect((await query<{ n: string }>(`select count(*) as n from sync_events where status = 'success' and payload->>'bulk' = 'true'`))[0]!.n).toBe('450');

    await query(`update customers set name = name || ' v2', version = 2`);
    await org.admin('POST', '/stats/reset');
    expect((await pushCustomerBatch(deps, wave(ids))).size).toBe(450);
    expect(await writeCalls()).toBe(3);
    expect((await org.admin<Array<{ Name: string }>>('GET', '/accounts')).body.every((a) => a.Name.endsWith(' v2'))).toBe(true);

    // Nothing changed since: every message is a skip for the single path, and no call is made.
    await org.admin('POST', '/stats/reset');
    expect((await pushCustomerBatch(deps, wave(ids))).size).toBe(0);
    expect(await writeCalls()).toBe(0);
  });

  it("leaves a record Salesforce refused, an echo and a wave of one to the single path", async () => {
    const ids = await seed(5);
    await org.admin('POST', '/faults', { lock_row_failures: 1 });
    const pushed = await pushCustomerBatch(deps, wave(ids));
    expect(pushed.size).toBe(4);
    const [refused] = ids.filter((_, i) => !pushed.has(i));
    expect((await query('select 1 from external_mappings where internal_id = $1', [refused])).length).toBe(0);

    expect((await pushCustomerBatch(deps, wave(ids.slice(0, 3), 'salesforce'))).size).toBe(0);
    expect((await pushCustomerBatch(deps, wave([refused!]))).size).toBe(0);
  });

  it('wakes an invoice that waited for its customer there once the bulk push maps the customer', async () => {
    const ids = await seed(3);
    const { invoice } = await new InvoiceService(orm).create(ids[0]!, { currency: 'eur', collection_method: 'charge_automatically', due_date: null, description: null, lines: [{ description: 'Seat', quantity: 1, unit_amount: 100 }] }, { origin: 'internal', traceId: 't' });
    // Salesforce as if it synced invoices (it does not yet): the invoice's push waits for the Account.
    const never = () => Promise.reject(new Error('no invoice call is expected while the customer is not there'));
    const invoiceAdapter: CatalogAdapter<InvoiceFields, ExternalInvoice> = { objectType: 'Invoice__c', create: never, update: never, delete: never, get: never, findByInternalId: never, list: never };
    const withInvoices: Integration = {
      system: 'salesforce',
      catalogs: { customer: org.sf.catalogs.customer, invoice: invoiceAdapter },
      toNeutralChange: (e) => org.sf.toNeutralChange(e),
      classifyError: (e) => org.sf.classifyError(e),
      ping: () => org.sf.ping(),
    };
    const waiting = envelope({ type: 'invoice.created', idempotency_key: `invoice:${invoice.id}:v1`, origin: 'internal', payload: { invoice_id: invoice.id, customer_id: ids[0]!, version: 1, status: 'draft' } }) as InvoiceEventMessage;
    await expect(pushInvoice({ ...deps, integration: withInvoices }, waiting, ctx)).resolves.toEqual({ status: 'skipped', action: 'none' });

    expect((await pushCustomerBatch(deps, wave(ids))).size).toBe(3);
    expect(await query(`select aggregate_id, envelope->>'idempotency_key' as key, envelope->>'target_system' as target from outbox where entity_type = 'invoice' and event_type = 'invoice.updated'`)).toEqual([
      { aggregate_id: invoice.id, key: `invoice:${invoice.id}:v1:customer-linked:salesforce`, target: 'salesforce' },
    ]);
  });
});
