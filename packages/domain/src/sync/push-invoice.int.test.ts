import { randomUUID } from 'node:crypto';
import { StripeIntegration } from '@cs/integrations';
import { envelope, type CustomerEventMessage, type InvoiceEventMessage, type MessageContext } from '@cs/kafka-schemas';
import { createLogger, TokenBucket } from '@cs/platform';
import { startEmulator, type RunningEmulator } from '@cs/stripe-emulator';
import Stripe from 'stripe';
import { query, resetDatabase } from '../../../../test/support/db';
import { InvoiceService } from '../invoices/service';
import { openOrm, type MikroORM } from '../orm';
import { pushCustomer, type PushDeps } from './push-customer';
import { pushInvoice, waitingReason } from './push-invoice';

// Against the Stripe emulator (invoices, items, lifecycle, idempotency) and the real Postgres.
let emu: RunningEmulator;
let orm: MikroORM;
let stripe: Stripe;
let deps: PushDeps;
let invoices: InvoiceService;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  orm = await openOrm({ databaseUrl: process.env.DATABASE_URL!, poolMax: 4 });
  stripe = new Stripe('sk_test_push_invoice', { host: '127.0.0.1', port: emu.port, protocol: 'http' });
});
afterAll(async () => {
  await orm.close();
  await emu.close();
});
beforeEach(async () => {
  await resetDatabase();
  await fetch(`${emu.url}/_emulator/reset`, { method: 'POST' });
  const integration = new StripeIntegration({ secretKey: 'sk_test_push_invoice', apiBase: emu.url });
  deps = { orm, integration, limiter: new TokenBucket(10_000), logger: createLogger({ name: 'push-invoice-test', level: 'silent' }) };
  invoices = new InvoiceService(orm);
});

const ctx = (attempt = 1): MessageContext => ({ key: 'k', topic: 't', partition: 0, offset: '0', attempt });
const internal = { origin: 'internal' as const, traceId: 'test' };
const invoiceMessage = (type: InvoiceEventMessage['type'], invoiceId: number, key = `invoice:${invoiceId}:${randomUUID()}`) =>
  envelope({ type, idempotency_key: key, origin: 'internal', payload: { invoice_id: invoiceId, customer_id: 1, version: 1, status: 'draft' } }) as InvoiceEventMessage;
const customerMessage = (customerId: number) =>
  envelope({ type: 'customer.created', idempotency_key: `customer:${customerId}:v1`, origin: 'internal', payload: { customer_id: customerId, version: 1 } }) as CustomerEventMessage;

const newCustomer = async (email = 'ada@x.io') => (await query<{ id: number }>(`insert into customers (name, email) values ('Ada', $1) returning id`, [email]))[0]!.id;
const lines = Array.from({ length: 12 }, (_, i) => ({ description: `Seat ${i + 1}`, quantity: i + 1, unit_amount: 100 * (i + 1) }));
const draft = (customerId: number, over: Partial<Parameters<InvoiceService['create']>[1]> = {}) =>
  invoices.create(customerId, { currency: 'eur', collection_method: 'send_invoice', due_date: '2099-01-31', description: 'March', lines, ...over }, internal);
const mappingOf = async (entity: string, id: number) =>
  (await query<{ external_id: string }>(`select external_id from external_mappings where entity_type = $1 and internal_id = $2`, [entity, id]))[0]?.external_id;
const stripeInvoicesOf = async (customer: string) => (await stripe.invoices.list({ customer, limit: 100 })).data;

async function linkedCustomer(): Promise<{ id: number; stripeId: string }> {
  const id = await newCustomer();
  await pushCustomer(deps, customerMessage(id), ctx());
  return { id, stripeId: (await mappingOf('customer', id))! };
}

describe('pushInvoice against the Stripe emulator', () => {
  it('creates the invoice with every line (past the 10 Stripe embeds), auto_advance off and our id in metadata', async () => {
    const customer = await linkedCustomer();
    const { invoice } = await draft(customer.id);
    await pushInvoice(deps, invoiceMessage('invoice.created', invoice.id), ctx());

    const externalId = await mappingOf('invoice', invoice.id);
    const there = await stripe.invoices.retrieve(externalId!);
    expect(there).toMatchObject({ customer: customer.stripeId, status: 'draft', auto_advance: false, currency: 'eur', collection_method: 'send_invoice', description: 'March' });
    expect(there.metadata).toEqual({ internal_invoice_id: String(invoice.id) });
    expect(there.amount_due).toBe(lines.reduce((s, l) => s + l.quantity * l.unit_amount, 0));
    const adapter = deps.integration.catalogs.invoice!;
    expect((await adapter.get(externalId!))!.lines).toEqual(lines);
    expect(new Date(there.due_date! * 1000).toISOString().slice(0, 10)).toBe('2099-01-31');
  });

  it('a re-delivery after a crash between the create and our mapping replays the create: one invoice in Stripe', async () => {
    const customer = await linkedCustomer();
    const { invoice } = await draft(customer.id);
    const msg = invoiceMessage('invoice.created', invoice.id);
    await pushInvoice(deps, msg, ctx());
    // The crash: the calls went through, our mapping (and its audit row) were never stored.
    await query(`delete from external_mappings where entity_type = 'invoice'`);
    await pushInvoice(deps, msg, ctx(2));
    // A different message for the same invoice finds it by our id rather than making another.
    await query(`delete from external_mappings where entity_type = 'invoice'`);
    await pushInvoice(deps, invoiceMessage('invoice.updated', invoice.id), ctx());

    const there = await stripeInvoicesOf(customer.stripeId);
    expect(there).toHaveLength(1);
    expect(await mappingOf('invoice', invoice.id)).toBe(there[0]!.id);
    expect((await deps.integration.catalogs.invoice!.get(there[0]!.id!))!.lines).toEqual(lines);
  });

  it('waits for its customer: skipped, no call, no retry — and the customer\'s link pushes it', async () => {
    const customerId = await newCustomer();
    const { invoice } = await draft(customerId);
    await expect(pushInvoice(deps, invoiceMessage('invoice.created', invoice.id), ctx())).resolves.toEqual({ status: 'skipped', action: 'none' });
    const [audit] = await query<{ status: string; reason: string }>(`select status, payload->>'reason' as reason from sync_events where entity_type = 'invoice'`);
    expect(audit).toEqual({ status: 'skipped', reason: waitingReason('stripe') });
    expect((await stripe.invoices.list({ limit: 10 })).data).toHaveLength(0);

    await pushCustomer(deps, customerMessage(customerId), ctx());
    const outbox = await query<{ envelope: InvoiceEventMessage }>(`select envelope from outbox where entity_type = 'invoice' and envelope->>'idempotency_key' like '%customer-linked%'`);
    expect(outbox).toHaveLength(1);
    // What the outbound worker does with that row once the relay publishes it.
    await pushInvoice(deps, outbox[0]!.envelope, ctx());
    expect(await mappingOf('invoice', invoice.id)).toMatch(/^in_/);
    // A later push of the same customer (no new link) re-triggers nothing.
    await pushCustomer(deps, { ...customerMessage(customerId), idempotency_key: `customer:${customerId}:v2` }, ctx());
    expect(await query(`select 1 from outbox where entity_type = 'invoice' and envelope->>'idempotency_key' like '%customer-linked%'`)).toHaveLength(1);
  });

  it('lifecycle: a draft edit replaces the lines, finalize and void follow ours, and a deleted draft is deleted there', async () => {
    const customer = await linkedCustomer();
    const { invoice } = await draft(customer.id);
    await pushInvoice(deps, invoiceMessage('invoice.created', invoice.id), ctx());
    const externalId = (await mappingOf('invoice', invoice.id))!;

    await invoices.update(invoice.id, { description: 'April', lines: [{ description: 'One thing', quantity: 2, unit_amount: 999 }] }, undefined, internal);
    await pushInvoice(deps, invoiceMessage('invoice.updated', invoice.id), ctx());
    let there = await stripe.invoices.retrieve(externalId);
    expect(there).toMatchObject({ description: 'April', amount_due: 1998, status: 'draft' });
    expect(there.lines.data.map((l) => l.description)).toEqual(['One thing']);

    await invoices.transition(invoice.id, 'finalize', undefined, internal);
    await pushInvoice(deps, invoiceMessage('invoice.finalized', invoice.id), ctx());
    there = await stripe.invoices.retrieve(externalId);
    expect(there.status).toBe('open');
    expect(there.number).toBeTruthy();

    await invoices.transition(invoice.id, 'void', undefined, internal);
    const voided = invoiceMessage('invoice.voided', invoice.id);
    await pushInvoice(deps, voided, ctx());
    await pushInvoice(deps, voided, ctx(2)); // a re-delivery: unchanged, no call
    expect((await stripe.invoices.retrieve(externalId)).status).toBe('void');

    const other = await draft(customer.id, { collection_method: 'charge_automatically', due_date: null });
    await pushInvoice(deps, invoiceMessage('invoice.created', other.invoice.id), ctx());
    const otherId = (await mappingOf('invoice', other.invoice.id))!;
    await invoices.remove(other.invoice.id, undefined, internal);
    await pushInvoice(deps, invoiceMessage('invoice.deleted', other.invoice.id), ctx());
    await expect(stripe.invoices.retrieve(otherId)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('never moves Stripe back: an invoice paid there stays paid when ours is still open', async () => {
    const customer = await linkedCustomer();
    const { invoice } = await draft(customer.id);
    await invoices.transition(invoice.id, 'finalize', undefined, internal);
    await pushInvoice(deps, invoiceMessage('invoice.finalized', invoice.id), ctx());
    const externalId = (await mappingOf('invoice', invoice.id))!;
    expect((await stripe.invoices.retrieve(externalId)).status).toBe('open');
    await fetch(`${emu.url}/_emulator/invoices/${externalId}/pay`, { method: 'POST' });
    await invoices.transition(invoice.id, 'mark_uncollectible', undefined, internal);
    await pushInvoice(deps, invoiceMessage('invoice.marked_uncollectible', invoice.id), ctx());
    expect((await stripe.invoices.retrieve(externalId)).status).toBe('paid');
  });
});
