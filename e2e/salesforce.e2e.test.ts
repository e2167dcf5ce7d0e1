/**
 * The three-way hub: our catalog, Stripe and Salesforce (customers ⇄ Accounts), every app as a
 * process, both emulators as processes, real Postgres and Kafka. A change made in any of the three
 * places reaches the other two once and is never written back to where it came from.
 */
import { query, resetDatabase } from '../test/support/db';
import { api } from './support/api';
import { emulator } from './support/emulator';
import { salesforce, salesforceEnv, startSalesforceEmulator } from './support/salesforce';
import { isolateTopics, startApp, startEmulator, stop, urlOf, waitFor, waitReady, WEBHOOK_SECRET, type AppName, type Proc } from './support/stack';

const procs: Proc[] = [];
let inbound: Proc;
const config = { SYNC_SYSTEMS: 'stripe,salesforce', ...salesforceEnv, RECONCILE_INTERVAL_MS: '0', OUTBOUND_RETRY_BASE_MS: '100', STRIPE_WRITE_RATE: '1000' };

beforeAll(async () => {
  await resetDatabase();
  await isolateTopics('salesforce');
  procs.push(startEmulator(), startSalesforceEmulator());
  await waitReady('emulator', '/_emulator/health');
  await waitFor('the Salesforce emulator', () => salesforce.health().then((h) => (h.ok ? true : undefined)), 30_000, 100);
  await emulator.reset({ endpoints: true });
  await emulator.addWebhook(`${urlOf('webhook-gateway')}/api/v1/webhooks/stripe`, WEBHOOK_SECRET);
  const apps: AppName[] = ['api', 'webhook-gateway', 'outbound-worker'];
  procs.push(...apps.map((a) => startApp(a, config)));
  inbound = startApp('inbound-worker', config);
  await Promise.all([...apps, 'inbound-worker' as const].map((a) => waitReady(a)));
}, 60_000);
afterAll(async () => {
  await Promise.all([...procs, inbound].map((p) => stop(p)));
});

const stripeRecordOf = async (id: number) => (await emulator.customers()).find((c) => c.metadata.internal_id === String(id));
const ours = async (email: string) =>
  (await query<{ id: number; name: string; phone: string | null; deleted: boolean }>('select id, name, phone, deleted_at is not null as deleted from customers where email = $1', [email]))[0];
/** The Account a customer is mapped to (one made in the Salesforce UI carries no id of ours). */
const accountOf = async (id: number) =>
  (await waitFor('the Salesforce mapping', async () => (await query<{ external_id: string }>(`select external_id from external_mappings where internal_id = $1 and external_system = 'salesforce'`, [id]))[0], 30_000, 100)).external_id;
const settle = () => new Promise((r) => setTimeout(r, 1500)); // an echo, if any, has been sent by now

describe('customers ⇄ Stripe ⇄ Salesforce Accounts', () => {
  it('checks Salesforce like any system', async () => {
    const ready = (await waitReady('outbound-worker')) as { checks: Record<string, string> };
    expect(ready.checks).toEqual({ database: 'connected', kafka: 'connected', stripe: 'authenticated', salesforce: 'authenticated', stripe_circuit: 'closed', salesforce_circuit: 'closed' });
  });

  it('a customer made here becomes one Account (upserted by our id) and one Stripe customer', async () => {
    const created = await api<{ id: number }>('POST', '/api/v1/customers', { name: 'Hub Co', email: 'hub@x.io', address: { city: 'Lyon', country: 'FR' } });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const account = await waitFor('the Account', () => salesforce.byInternalId(id), 30_000, 100);
    expect(account).toMatchObject({ Name: 'Hub Co', Billing_Email__c: 'hub@x.io', BillingCity: 'Lyon', BillingCountryCode: 'FR' });
    await waitFor('the Stripe customer', () => stripeRecordOf(id), 30_000, 100);
    const mappings = await waitFor('both mappings', async () => {
      const rows = await query<{ external_system: string; external_object_type: string; external_id: string }>(
        'select external_system, external_object_type, external_id from external_mappings where internal_id = $1 order by external_system',
        [id],
      );
      return rows.length === 2 ? rows : undefined;
    });
    expect(mappings[0]).toEqual({ external_system: 'salesforce', external_object_type: 'Account', external_id: account.Id });
    expect((await salesforce.accounts()).filter((a) => a.Customer_Sync_Id__c === String(id))).toHaveLength(1);
  });

  it('an edit in the Salesforce UI reaches our catalog and Stripe through CDC, and is not written back to Salesforce', async () => {
    const { id } = (await ours('hub@x.io'))!;
    const account = (await salesforce.byInternalId(id))!;
    await settle();
    const writesBefore = await salesforce.apiWrites();
    await salesforce.ui.update(account.Id, { Phone: '+33 4 00 00 00 01' });
    await waitFor('the phone here', async () => ((await ours('hub@x.io'))?.phone === '+33 4 00 00 00 01' ? true : undefined), 30_000, 100);
    await waitFor('the phone in Stripe', async () => ((await stripeRecordOf(id))?.phone === '+33 4 00 00 00 01' ? true : undefined), 30_000, 100);
    await settle();
    expect(await salesforce.apiWrites()).toBe(writesBefore);
  });

  it('an edit in Stripe reaches Salesforce', async () => {
    const { id } = (await ours('hub@x.io'))!;
    await emulator.dashboard.update((await stripeRecordOf(id))!.id, { name: 'Hub Co (Stripe)' });
    await waitFor('the name in Salesforce', async () => ((await salesforce.byInternalId(id))?.Name === 'Hub Co (Stripe)' ? true : undefined), 30_000, 100);
    expect((await ours('hub@x.io'))!.name).toBe('Hub Co (Stripe)');
  });

  it('Salesforce and Stripe editing two different fields at once: both edits everywhere', async () => {
    const { id } = (await ours('hub@x.io'))!;
    const account = (await salesforce.byInternalId(id))!;
    await settle();
    await Promise.all([salesforce.ui.update(account.Id, { Phone: '+33 4 00 00 00 02' }), emulator.dashboard.update((await stripeRecordOf(id))!.id, { name: 'Hub Both' })]);
    const want = (r: { name?: string | null; Name?: string; phone?: string | null; Phone?: string | null } | undefined) =>
      (r?.name ?? r?.Name) === 'Hub Both' && (r?.phone ?? r?.Phone) === '+33 4 00 00 00 02';
    await waitFor('both edits here', async () => (want(await ours('hub@x.io')) ? true : undefined), 30_000, 100);
    await waitFor('both edits in Stripe', async () => (want(await stripeRecordOf(id)) ? true : undefined), 30_000, 100);
    await waitFor('both edits in Salesforce', async () => (want(await salesforce.byInternalId(id)) ? true : undefined), 30_000, 100);
  });

  it('an Account made in the Salesforce UI becomes a customer here and in Stripe', async () => {
    await salesforce.ui.create({ Name: 'From Salesforce', Billing_Email__c: 'from-sf@x.io', Phone: '+1 555 0199' });
    const customer = await waitFor('the customer here', () => ours('from-sf@x.io'), 30_000, 100);
    expect(customer).toMatchObject({ name: 'From Salesforce', phone: '+1 555 0199' });
    await waitFor('the customer in Stripe', async () => ((await stripeRecordOf(customer.id))?.email === 'from-sf@x.io' ? true : undefined), 30_000, 100);
  });

  it('after a kill -9 of the inbound worker, the stream resumes from its replay id: nothing lost, nothing applied twice', async () => {
    const { id } = (await ours('hub@x.io'))!;
    const account = (await salesforce.byInternalId(id))!;
    await settle();
    const [{ last } = { last: 0 }] = await query<{ last: number }>('select coalesce(max(id), 0)::int as last from sync_events');
    inbound.child.kill('SIGKILL');
    await inbound.exited;
    // Edited while nobody listens: only the stored replay id can bring these back.
    await salesforce.ui.update(account.Id, { Phone: '+33 4 00 00 00 03' });
    await salesforce.ui.update(account.Id, { Name: 'Hub After Crash' });
    inbound = startApp('inbound-worker', config);
    await waitReady('inbound-worker');
    await waitFor('both edits here', async () => {
      const c = await ours('hub@x.io');
      return c?.name === 'Hub After Crash' && c.phone === '+33 4 00 00 00 03' ? true : undefined;
    }, 30_000, 100);
    await settle();
    // Each edit applied once: by its CDC event, or — when the catch-up's SOQL read at start-up got
    // there first with both in the record's current state — by that one read, its events then
    // skipped as already synced. Never a change applied twice, never one bounced to Salesforce.
    const applied = await query<{ event_id: string; via: string }>(
      `select payload->>'event_id' as event_id, payload->>'via' as via from sync_events
        where direction = 'inbound' and external_system = 'salesforce' and entity_id = $1 and status = 'success' and id > $2`,
      [id, last],
    );
    expect(applied.length).toBeGreaterThanOrEqual(1);
    expect(applied.length).toBeLessThanOrEqual(2);
    expect(new Set(applied.map((a) => a.event_id)).size).toBe(applied.length);
    const pushedBack = await query(`select 1 from sync_events where direction = 'outbound' and external_system = 'salesforce' and entity_id = $1 and status = 'success' and id > $2`, [id, last]);
    expect(pushedBack).toEqual([]);
  });

  it('a backlog of 300 reaches Salesforce once each, in bulk, through expired sessions and locked rows', async () => {
    const before = (await salesforce.accounts()).length;
    const ids: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, async (_, w) => {
        for (let i = w; i < 300; i += 10) {
          const res = await api<{ id: number }>('POST', '/api/v1/customers', { name: `Backlog ${i}`, email: `backlog${i}@x.io` });
          ids.push(res.body.id);
          if (i === 100) await salesforce.expireSessions();
          if (i === 200) await salesforce.faults({ lock_row_failures: 5 });
        }
      }),
    );
    await waitFor('every Account', async () => ((await salesforce.accounts()).length - before === 300 ? true : undefined), 60_000, 250);
    const accounts = (await salesforce.accounts()).filter((a) => ids.includes(Number(a.Customer_Sync_Id__c)));
    expect(accounts).toHaveLength(300);
    expect(new Set(accounts.map((a) => a.Customer_Sync_Id__c)).size).toBe(300);
    expect(await query(`select id from dead_letters where status = 'parked'`)).toEqual([]);
    await salesforce.faults({ lock_row_failures: 0 });
  });

  it('Salesforce and Stripe editing the same field at once: one of the two values everywhere, by the policy', async () => {
    await salesforce.ui.create({ Name: 'Same Field', Billing_Email__c: 'same-field@x.io' });
    const customer = await waitFor('the customer here', () => ours('same-field@x.io'), 30_000, 100);
    const stripeId = (await waitFor('in Stripe', () => stripeRecordOf(customer.id), 30_000, 100)).id;
    const accountId = await accountOf(customer.id);
    await settle();
    await Promise.all([salesforce.ui.update(accountId, { Name: 'Named In Salesforce' }), emulator.dashboard.update(stripeId, { name: 'Named In Stripe' })]);
    // Whichever wins by the policy (docs/sync-rules.md), all three end on the same name.
    const name = await waitFor('one name everywhere', async () => {
      const [here, there, account] = [await ours('same-field@x.io'), await stripeRecordOf(customer.id), (await salesforce.accounts()).find((a) => a.Id === accountId)];
      return here && here.name === there?.name && here.name === account?.Name && here.name !== 'Same Field' ? here.name : undefined;
    }, 30_000, 200);
    expect(['Named In Salesforce', 'Named In Stripe']).toContain(name);
  });

  it('an Account deleted in Salesforce deletes the customer here and in Stripe', async () => {
    await salesforce.ui.create({ Name: 'Short Lived', Billing_Email__c: 'short-lived@x.io' });
    const customer = await waitFor('the customer here', () => ours('short-lived@x.io'), 30_000, 100);
    await waitFor('in Stripe', () => stripeRecordOf(customer.id), 30_000, 100);
    await salesforce.ui.delete(await accountOf(customer.id));
    await waitFor('deleted here and in Stripe', async () => ((await ours('short-lived@x.io'))?.deleted && !(await stripeRecordOf(customer.id)) ? true : undefined), 30_000, 100);
  });

  it('a deletion here deletes the Account and the Stripe customer', async () => {
    const { id } = (await ours('hub@x.io'))!;
    expect((await api('DELETE', `/api/v1/customers/${id}`)).status).toBe(204);
    await waitFor('deleted in both', async () => (!(await salesforce.byInternalId(id)) && !(await stripeRecordOf(id)) ? true : undefined), 30_000, 100);
  });
});
