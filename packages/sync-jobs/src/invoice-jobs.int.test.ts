import { randomUUID } from 'node:crypto';
import { applyExternalChange, applyInvoiceChange, InvoiceService, lastReconcileReport, openOrm, pushInvoice, type ExternalChange, type ExternalInvoiceState, type ExternalState, type MikroORM } from '@cs/domain';
import { StripeIntegration } from '@cs/integrations';
import { envelope, type ExternalChangeInput, type InvoiceEventMessage } from '@cs/kafka-schemas';
import { createLogger, TokenBucket } from '@cs/platform';
import { startEmulator, type RunningEmulator } from '@cs/stripe-emulator';
import { query, resetDatabase } from '../../../test/support/db';
import { importCustomers } from './backfill';
import { exportInvoices, importInvoices } from './backfill-invoices';
import type { Progress } from './progress';
import { reconcile } from './reconcile';
import { reconcileInvoices } from './reconcile-invoices';

// Backfill and reconcile over the invoice catalog, and the customer jobs' links waking waiting
// invoices — against Postgres and the Stripe emulator.
let orm: MikroORM;
let emu: RunningEmulator;
let stripe: StripeIntegration;
let invoices: InvoiceService;

beforeAll(async () => {
  orm = await openOrm({ databaseUrl: process.env.DATABASE_URL!, poolMax: 5 });
  emu = await startEmulator({ port: 0 });
  stripe = new StripeIntegration({ secretKey: 'sk_test_invoice_jobs', apiBase: emu.url });
  invoices = new InvoiceService(orm);
});
afterAll(async () => {
  await orm.close();
  await emu.close();
});
beforeEach(async () => {
  await resetDatabase();
  await fetch(`${emu.url}/_emulator/reset`, { method: 'POST', body: '{}' });
});

const silent: Progress = { start() {}, tick() {}, stop() {} };
const jobs = () => ({ orm, progress: silent, limiter: new TokenBucket(0) });
const ctx = { key: 'k', topic: 't', partition: 0, offset: '0', attempt: 1 };
const internal = { origin: 'internal' as const, traceId: 'test' };
const admin = async (path: string, body: unknown) => ((await (await fetch(`${emu.url}/_emulator${path}`, { method: 'POST', body: JSON.stringify(body) })).json()) as { id: string }).id;
const newCustomer = async (email: string) => (await query<{ id: number }>(`insert into customers (name, email) values ('Ada', $1) returning id`, [email]))[0]!.id;
const link = (entity: string, id: number, externalId: string) =>
  query(`insert into external_mappings (entity_type, internal_id, external_system, external_object_type, external_id) values ($1, $2, 'stripe', $1, $3)`, [entity, id, externalId]);
const draft = async (customerId: number, lines = [{ description: 'Seat', quantity: 2, unit_amount: 500 }]) =>
  (await invoices.create(customerId, { currency: 'eur', collection_method: 'charge_automatically', due_date: null, description: null, lines }, internal)).invoice;
const invoiceMappings = () => query<{ internal_id: number; external_id: string }>(`select internal_id, external_id from external_mappings where entity_type = 'invoice' order by internal_id`);
const linesOf = (id: number) => query<{ description: string }>(`select description, quantity, unit_amount from invoice_lines where invoice_id = $1 order by position`, [id]);
const wakeUps = () => query<{ aggregate_id: number }>(`select aggregate_id from outbox where entity_type = 'invoice' and envelope->>'idempotency_key' like '%:customer-linked:stripe'`);

/** A draft whose push waited for its customer's Stripe record. */
async function waitingInvoice(customerId: number) {
  const invoice = await draft(customerId);
  const message = envelope({ type: 'invoice.created', idempotency_key: `invoice:${invoice.id}:v1`, origin: 'internal', payload: { invoice_id: invoice.id, customer_id: customerId, version: 1, status: 'draft' } }) as InvoiceEventMessage;
  const deps = { orm, integration: stripe, limiter: new TokenBucket(10_000), logger: createLogger({ name: 'invoice-jobs-test', level: 'silent' }) };
  await expect(pushInvoice(deps, message, ctx)).resolves.toEqual({ status: 'skipped', action: 'none' });
  return invoice.id;
}

/** A change fed to sync.inbound, applied as the inbound worker applies it. */
function applyFed(c: ExternalChangeInput) {
  const base = { system: c.system, objectType: c.objectType, eventId: c.eventId, kind: c.kind, externalId: c.externalId, sourceTs: c.sourceTs, traceId: null };
  return orm.em.fork().transactional((tx) =>
    c.entityType === 'invoice'
      ? applyInvoiceChange(tx, { ...base, state: c.state as unknown as ExternalInvoiceState | null } as ExternalChange<ExternalInvoiceState>, { state: c.state as unknown as ExternalInvoiceState | null })
      : applyExternalChange(tx, { ...base, state: c.state as unknown as ExternalState | null }, { state: c.state as unknown as ExternalState | null }),
  );
}

describe('backfill of invoices', () => {
  it('links ours, imports those made there (their customer imported first), with every line past a page; a re-run applies nothing twice', async () => {
    const ada = await newCustomer('ada@x.io');
    await link('customer', ada, await admin('/dashboard/customers?silent=true', { name: 'Ada', email: 'ada@x.io' }));
    const [adaStripe] = await query<{ external_id: string }>(`select external_id from external_mappings where internal_id = $1`, [ada]);
    // Ours, in Stripe already (a lost mapping).
    const ours = await draft(ada);
    const theirCopy = await stripe.catalogs.invoice.create({ customer: adaStripe!.external_id, currency: 'eur', lines: [{ description: 'Seat', quantity: 2, unit_amount: 500 }] }, ours.id, { idempotencyKey: randomUUID() });
    // Made in Stripe for Ada, with 12 lines; and for a customer only Stripe has.
    const lines = Array.from({ length: 12 }, (_, i) => ({ description: `Hour ${i + 1}`, quantity: 1, unit_amount: 100 * (i + 1) }));
    const made = await admin('/dashboard/invoices?silent=true', { customer: adaStripe!.external_id, currency: 'usd', lines, finalize: true });
    const stranger = await admin('/dashboard/customers?silent=true', { name: 'Bob', email: 'bob@x.io' });
    const strangers = await admin('/dashboard/invoices?silent=true', { customer: stranger, currency: 'usd', lines: [{ description: 'Setup', unit_amount: 900 }] });

    const result = await importInvoices({ ...jobs(), integration: stripe, pageSize: 2 });
    expect(result).toMatchObject({ seen: 3, created: 2, linked: 1, conflicts: 0, skipped: 0 });
    const mapped = await invoiceMappings();
    expect(mapped.find((m) => m.external_id === theirCopy.externalId)?.internal_id).toBe(ours.id);
    const imported = mapped.find((m) => m.external_id === made)!.internal_id;
    expect(await linesOf(imported)).toHaveLength(12);
    const [bob] = await query<{ id: number }>(`select c.id from customers c join external_mappings m on m.internal_id = c.id and m.entity_type = 'customer' where m.external_id = $1`, [stranger]);
    expect(bob).toBeDefined();
    const bobsInvoice = mapped.find((m) => m.external_id === strangers)!.internal_id;
    expect(await query(`select customer_id, status, amount_due from invoices where id = $1`, [bobsInvoice])).toEqual([{ customer_id: bob!.id, status: 'draft', amount_due: '900' }]);

    const again = await importInvoices({ ...jobs(), integration: stripe, restart: true });
    expect(again).toMatchObject({ seen: 3, created: 0, linked: 0 });
    expect(await query(`select count(*)::int as n from invoices`)).toEqual([{ n: 3 }]);
    expect(await query(`select count(*)::int as n from customers`)).toEqual([{ n: 2 }]);
  });

  it('exports every live invoice with no Stripe mapping as an outbox row', async () => {
    const ada = await newCustomer('ada@x.io');
    const first = await draft(ada);
    const mapped = await draft(ada);
    await link('invoice', mapped.id, 'in_elsewhere');
    const deleted = await draft(ada);
    await invoices.remove(deleted.id, undefined, internal);
    await query(`delete from outbox`);
    expect(await exportInvoices({ orm, integration: stripe, progress: silent })).toEqual({ queued: 1 });
    expect(await query(`select aggregate_id, event_type, envelope->>'idempotency_key' as key from outbox`)).toEqual([
      { aggregate_id: first.id, event_type: 'invoice.updated', key: expect.stringMatching(new RegExp(`^invoice:${first.id}:v1:export:`)) },
    ]);
  });
});

describe('the customer jobs link customers: their waiting invoices are woken', () => {
  it('backfill links by email (in bulk) and by our id (one by one)', async () => {
    const byEmail = await newCustomer('ada@x.io');
    const byId = await newCustomer('grace@x.io');
    const waiting = [await waitingInvoice(byEmail), await waitingInvoice(byId)];
    await admin('/dashboard/customers?silent=true', { name: 'Ada', email: 'ada@x.io' });
    await admin('/dashboard/customers?silent=true', { name: 'Grace', email: 'grace.hopper@x.io', metadata: { internal_id: String(byId) } });
    expect(await importCustomers({ ...jobs(), integration: stripe, pageSize: 100 })).toMatchObject({ linked: 2 });
    expect((await wakeUps()).map((w) => w.aggregate_id).sort()).toEqual(waiting.sort());
  });

  it('reconcile --repair feeds the unlinked customer; its link by the inbound rules wakes the invoice', async () => {
    const id = await newCustomer('ada@x.io');
    const waiting = await waitingInvoice(id);
    await admin('/dashboard/customers?silent=true', { name: 'Ada', email: 'ada@x.io', metadata: { internal_id: String(id) } });
    const fed: ExternalChangeInput[] = [];
    const report = await reconcile({ ...jobs(), integration: stripe, repair: true, feed: async (c) => void fed.push(...c) });
    expect(report.by_kind.unlinked_internal_id).toBe(1);
    for (const change of fed) await applyFed(change);
    expect(await wakeUps()).toEqual([{ aggregate_id: waiting }]);
  });
});

describe('reconcile of invoices', () => {
  it('finds each kind of drift, and repairs each through the normal paths', async () => {
    const ada = await newCustomer('ada@x.io');
    const adaStripe = await admin('/dashboard/customers?silent=true', { name: 'Ada', email: 'ada@x.io' });
    await link('customer', ada, adaStripe);
    const line = [{ description: 'Seat', quantity: 2, unit_amount: 500 }];
    // In sync: linked, same status and amounts.
    const synced = await draft(ada);
    await link('invoice', synced.id, (await stripe.catalogs.invoice.create({ customer: adaStripe, currency: 'eur', lines: line }, synced.id, { idempotencyKey: randomUUID() })).externalId);
    // Ours only.
    const onlyOurs = await draft(ada);
    // Theirs only (made in Stripe), and one of ours there without its mapping.
    const onlyTheirs = await admin('/dashboard/invoices?silent=true', { customer: adaStripe, currency: 'eur', lines: [{ description: 'Extra', unit_amount: 700 }] });
    const unlinked = await draft(ada);
    const unlinkedThere = (await stripe.catalogs.invoice.create({ customer: adaStripe, currency: 'eur', lines: line }, unlinked.id, { idempotencyKey: randomUUID() })).externalId;
    // Linked to something Stripe does not have.
    const stale = await draft(ada);
    await link('invoice', stale.id, 'in_gone');
    // Linked, but paid in Stripe while ours is open.
    const paid = await draft(ada);
    const paidThere = (await stripe.catalogs.invoice.create({ customer: adaStripe, currency: 'eur', lines: line, status: 'open' }, paid.id, { idempotencyKey: randomUUID() })).externalId;
    await link('invoice', paid.id, paidThere);
    await invoices.transition(paid.id, 'finalize', undefined, internal);
    await fetch(`${emu.url}/_emulator/invoices/${paidThere}/pay`, { method: 'POST' });

    const report = await reconcileInvoices({ ...jobs(), integration: stripe, repair: false });
    expect(report).toMatchObject({ catalog: 'invoice', internal_invoices: 5, external_invoices: 4, drift_count: 5 });
    expect(report.by_kind).toEqual({ missing_in_external: 1, missing_internally: 1, unlinked_internal_id: 1, stale_mapping: 1, field_mismatch: 1 });
    const byKind = Object.fromEntries(report.drifts.map((d) => [d.kind, d]));
    expect(byKind.missing_in_external).toMatchObject({ invoice_id: onlyOurs.id, external_id: null, ours: { status: 'draft', amount_due: 1000 } });
    expect(byKind.missing_internally).toMatchObject({ invoice_id: null, external_id: onlyTheirs, theirs: { status: 'draft', amount_due: 700, currency: 'eur' } });
    expect(byKind.unlinked_internal_id).toMatchObject({ invoice_id: unlinked.id, external_id: unlinkedThere });
    expect(byKind.stale_mapping).toMatchObject({ invoice_id: stale.id, external_id: 'in_gone' });
    expect(byKind.field_mismatch).toMatchObject({ invoice_id: paid.id, ours: { status: 'open', amount_paid: 0 }, theirs: { status: 'paid', amount_paid: 1000 } });
    // Stored as the invoices' report, apart from the customers'.
    expect(await query(`select name from sync_cursors where name like 'reconcile:%'`)).toEqual([{ name: 'reconcile:stripe:invoice:last_report' }]);
    // What the API and the console read back: this report for the invoices (with or without the system), none for the customers.
    const em = orm.em.fork();
    for (const system of ['stripe', undefined]) expect(await lastReconcileReport(em, system, 'invoice')).toMatchObject({ system: 'stripe', catalog: 'invoice', report: JSON.parse(JSON.stringify(report)) });
    expect(await lastReconcileReport(em)).toBeUndefined();
    expect(await lastReconcileReport(em, 'stripe', 'customer')).toBeUndefined();

    await query(`delete from outbox`);
    const fed: ExternalChangeInput[] = [];
    await reconcileInvoices({ ...jobs(), integration: stripe, repair: true, feed: async (c) => void fed.push(...c) });
    // Ours pushed: the one missing there and the mismatched pair (its mapping no longer claims Stripe holds ours).
    expect((await query<{ aggregate_id: number }>(`select aggregate_id from outbox where entity_type = 'invoice' order by aggregate_id`)).map((r) => r.aggregate_id)).toEqual([onlyOurs.id, paid.id]);
    expect(fed.map((c) => [c.entityType, c.kind, c.externalId]).sort()).toEqual(
      [
        ['invoice', 'created', onlyTheirs],
        ['invoice', 'created', unlinkedThere],
        ['invoice', 'created', paidThere],
        ['invoice', 'deleted', 'in_gone'],
      ].sort(),
    );
    // Applied as the inbound worker does: imported, linked, paid here, the stale draft deleted.
    for (const change of fed) await applyFed(change);
    expect(await query(`select status, amount_paid from invoices where id = $1`, [paid.id])).toEqual([{ status: 'paid', amount_paid: '1000' }]);
    expect((await invoiceMappings()).find((m) => m.external_id === unlinkedThere)?.internal_id).toBe(unlinked.id);
    expect((await invoiceMappings()).some((m) => m.external_id === onlyTheirs)).toBe(true);
    expect(await query(`select deleted_at is not null as deleted from invoices where id = $1`, [stale.id])).toEqual([{ deleted: true }]);
  });
});
