import { randomUUID } from 'node:crypto';
import { neutralState, StripeIntegration, type ExternalInvoice } from '@cs/integrations';
import { envelope, type CustomerEventMessage, type InvoiceEventMessage, type MessageContext } from '@cs/kafka-schemas';
import { createLogger, TokenBucket } from '@cs/platform';
import { startEmulator, type RunningEmulator } from '@cs/stripe-emulator';
import { query, resetDatabase } from '../../../../test/support/db';
import { InvoiceService } from '../invoices/service';
import { openOrm, type MikroORM } from '../orm';
import { pushCustomer, type PushDeps } from '../sync/push-customer';
import { pushInvoice } from '../sync/push-invoice';
import { applyInvoiceChange, type ExternalInvoiceState } from './apply-invoice';
import { applyOutsideLocks } from './apply-outside-locks';
import type { ExternalChange } from './types';

// The inbound invoice rules against Postgres, with states read from the Stripe emulator.
let emu: RunningEmulator;
let orm: MikroORM;
let stripe: StripeIntegration;
let deps: PushDeps;
let invoices: InvoiceService;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  orm = await openOrm({ databaseUrl: process.env.DATABASE_URL!, poolMax: 4 });
});
afterAll(async () => {
  await orm.close();
  await emu.close();
});
beforeEach(async () => {
  await resetDatabase();
  await fetch(`${emu.url}/_emulator/reset`, { method: 'POST' });
  stripe = new StripeIntegration({ secretKey: 'sk_test_apply_invoice', apiBase: emu.url });
  deps = { orm, integration: stripe, limiter: new TokenBucket(10_000), logger: createLogger({ name: 'apply-invoice-test', level: 'silent' }) };
  invoices = new InvoiceService(orm);
});

const ctx: MessageContext = { key: 'k', topic: 't', partition: 0, offset: '0', attempt: 1 };
const internal = { origin: 'internal' as const, traceId: 'test' };
const admin = (path: string, body?: unknown) => fetch(`${emu.url}/_emulator${path}`, { method: 'POST', body: JSON.stringify(body ?? {}) }).then((r) => r.json() as Promise<{ id: string }>);
const stateOf = (x: ExternalInvoice) => neutralState(x) as unknown as ExternalInvoiceState;
const change = (x: ExternalInvoice, sourceTs: number, eventId = `evt_${randomUUID()}`): ExternalChange<ExternalInvoiceState> => ({
  system: 'stripe',
  objectType: 'invoice',
  eventId,
  kind: 'updated',
  externalId: x.externalId,
  sourceTs,
  state: stateOf(x),
  traceId: null,
});
const apply = (c: ExternalChange<ExternalInvoiceState>) =>
  applyOutsideLocks(orm, async (id) => { const x = await stripe.catalogs.invoice.get(id); return x && stateOf(x); }, (tx, current) => applyInvoiceChange(tx, c, current));
const ours = async (id: number) =>
  (await query<{ status: string; number: string | null; hosted_invoice_url: string | null; amount_paid: string; paid_at: Date | null; version: number }>(
    `select status, number, hosted_invoice_url, amount_paid, paid_at, version from invoices where id = $1`,
    [id],
  ))[0]!;

async function pushedOpenInvoice(): Promise<{ invoiceId: number; externalId: string; customerStripeId: string }> {
  const customerId = (await query<{ id: number }>(`insert into customers (name, email) values ('Ada', 'ada@x.io') returning id`))[0]!.id;
  await pushCustomer(deps, envelope({ type: 'customer.created', idempotency_key: `c:${customerId}`, origin: 'internal', payload: { customer_id: customerId, version: 1 } }) as CustomerEventMessage, ctx);
  const { invoice } = await invoices.create(customerId, { currency: 'usd', collection_method: 'charge_automatically', due_date: null, description: null, lines: [{ description: 'Seats', quantity: 3, unit_amount: 1250 }] }, internal);
  await invoices.transition(invoice.id, 'finalize', undefined, internal);
  await pushInvoice(deps, envelope({ type: 'invoice.finalized', idempotency_key: `i:${invoice.id}`, origin: 'internal', payload: { invoice_id: invoice.id, customer_id: customerId, version: 2, status: 'open' } }) as InvoiceEventMessage, ctx);
  const rows = await query<{ internal_id: number; external_id: string; entity_type: string }>(`select entity_type, internal_id, external_id from external_mappings order by id`);
  return { invoiceId: invoice.id, externalId: rows.find((r) => r.entity_type === 'invoice')!.external_id, customerStripeId: rows.find((r) => r.entity_type === 'customer')!.external_id };
}

describe('applyInvoiceChange', () => {
  it('takes Stripe\'s payment: status paid, number, URLs, amounts and paid_at, with an outbox row of origin stripe', async () => {
    const { invoiceId, externalId } = await pushedOpenInvoice();
    await admin(`/invoices/${externalId}/pay`);
    const paid = (await stripe.catalogs.invoice.get(externalId))!;
    await expect(apply(change(paid, 2_000_000_000))).resolves.toMatchObject({ status: 'success', action: 'updated' });
    const row = await ours(invoiceId);
    expect(row).toMatchObject({ status: 'paid', number: paid.number, hosted_invoice_url: paid.hosted_invoice_url, amount_paid: '3750' });
    expect(row.paid_at).not.toBeNull();
    const [outbox] = await query<{ origin: string; event_type: string }>(`select origin, event_type from outbox where entity_type = 'invoice' order by id desc limit 1`);
    expect(outbox).toEqual({ origin: 'stripe', event_type: 'invoice.updated' });
  });

  it('a duplicate and a stale event change nothing; paid never regresses to open, void never to anything', async () => {
    const { invoiceId, externalId } = await pushedOpenInvoice();
    const open = (await stripe.catalogs.invoice.get(externalId))!;
    await admin(`/invoices/${externalId}/pay`);
    const paid = (await stripe.catalogs.invoice.get(externalId))!;
    const paidEvent = change(paid, 2_000_000_010);
    await apply(paidEvent);
    const version = (await ours(invoiceId)).version;

    await expect(apply(paidEvent)).resolves.toMatchObject({ status: 'skipped', reason: 'duplicate event' });
    await expect(apply(change(open, 2_000_000_005))).resolves.toMatchObject({ status: 'skipped', reason: 'stale event' });
    // Newer by its timestamp, yet behind in the lifecycle (a replayed copy): the status stays.
    await expect(apply(change(open, 2_000_000_020))).resolves.toMatchObject({ status: 'skipped' });
    expect(await ours(invoiceId)).toMatchObject({ status: 'paid', version });

    await query(`update invoices set status = 'void', paid_at = null, amount_paid = 0, amount_remaining = amount_due where id = $1`, [invoiceId]);
    await apply(change(paid, 2_000_000_030));
    expect((await ours(invoiceId)).status).toBe('void');
  });

  it('a same-second event is settled by the invoice\'s current state in Stripe', async () => {
    const { invoiceId, externalId } = await pushedOpenInvoice();
    const open = (await stripe.catalogs.invoice.get(externalId))!;
    await apply(change(open, 2_000_000_100));
    await admin(`/invoices/${externalId}/pay`);
    // The event says open, at the same second as the last one applied; Stripe now says paid.
    await expect(apply(change(open, 2_000_000_100))).resolves.toMatchObject({ status: 'success' });
    expect((await ours(invoiceId)).status).toBe('paid');
  });

  it('imports an invoice made in Stripe for a customer we map, and skips one for a customer we do not', async () => {
    const { customerStripeId } = await pushedOpenInvoice();
    const made = await admin('/dashboard/invoices', { customer: customerStripeId, currency: 'usd', lines: [{ unit_amount: 500, quantity: 2, description: 'Extra' }], finalize: true });
    const there = (await stripe.catalogs.invoice.get(made.id))!;
    await expect(apply({ ...change(there, 2_000_000_200), kind: 'created' })).resolves.toMatchObject({ status: 'success', action: 'created' });
    const [imported] = await query<{ id: number; status: string; number: string; amount_due: string }>(
      `select i.id, i.status, i.number, i.amount_due from invoices i join external_mappings m on m.entity_type = 'invoice' and m.internal_id = i.id where m.external_id = $1`,
      [made.id],
    );
    expect(imported).toMatchObject({ status: 'open', number: there.number, amount_due: '1000' });
    expect(await query(`select description, quantity, unit_amount from invoice_lines where invoice_id = $1`, [imported!.id])).toEqual([{ description: 'Extra', quantity: 2, unit_amount: '500' }]);

    const stranger = await admin('/dashboard/customers', { name: 'Bob', email: 'bob@x.io' });
    const theirs = await admin('/dashboard/invoices', { customer: stranger.id, currency: 'usd', lines: [{ unit_amount: 100, description: 'X' }] });
    const foreign = (await stripe.catalogs.invoice.get(theirs.id))!;
    await expect(apply({ ...change(foreign, 2_000_000_300), kind: 'created' })).resolves.toMatchObject({ status: 'skipped', reason: `customer ${stranger.id} not linked here` });
  });
});
