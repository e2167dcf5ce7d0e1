import type Stripe from 'stripe';
import type { RunningEmulator } from './index';
import { admin, sdk, startReceiver, startTestEmulator, type StripeErrorBody } from './test/helpers';

type Invoice = Stripe.Invoice & { paid: boolean; deleted?: true };

let emulator: RunningEmulator;
let stripe: Stripe;

beforeAll(async () => {
  emulator = await startTestEmulator();
  stripe = sdk(emulator);
});
afterAll(() => emulator.close());
beforeEach(() => emulator.state.reset({ endpoints: true, faults: true }));

async function openInvoice(): Promise<Stripe.Invoice> {
  const { id: customer } = await stripe.customers.create({ email: 'admin@example.com' });
  const invoice = await stripe.invoices.create({ customer, collection_method: 'send_invoice', days_until_due: 30 });
  await stripe.invoiceItems.create({ customer, invoice: invoice.id, amount: 4200, currency: 'usd' });
  return stripe.invoices.finalizeInvoice(invoice.id);
}

describe('admin invoice routes', () => {
  it('POST /_emulator/invoices/:id/fail records a declined attempt and keeps the invoice open', async () => {
    const { id } = await openInvoice();
    const failed = await admin<Invoice>(emulator, 'POST', `/_emulator/invoices/${id}/fail`);
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ id, status: 'open', attempt_count: 1, attempted: true, amount_paid: 0, amount_remaining: 4200 });
    expect((await admin<Invoice>(emulator, 'POST', `/_emulator/invoices/${id}/fail`)).body.attempt_count).toBe(2);
    const [event] = (await stripe.events.list({ type: 'invoice.payment_failed', limit: 1 })).data;
    expect(event!.data.object).toMatchObject({ id, attempt_count: 2 });
    expect(event!.request).toEqual({ id: null, idempotency_key: null });
  });

  it('POST /_emulator/invoices/:id/pay is the customer paying: paid, with events, under faults', async () => {
    const receiver = await startReceiver();
    try {
      await admin(emulator, 'POST', '/_emulator/webhook-endpoints', { url: receiver.url, secret: 'whsec_pay' });
      const { id } = await openInvoice();
      await admin(emulator, 'POST', '/_emulator/faults', { error_rate: 1 });
      const paid = await admin<Invoice>(emulator, 'POST', `/_emulator/invoices/${id}/pay`);
      expect(paid.status).toBe(200);
      expect(paid.body).toMatchObject({ id, status: 'paid', paid: true, amount_paid: 4200, amount_remaining: 0, attempt_count: 1 });
      expect(paid.body.status_transitions.paid_at).not.toBeNull();
      await admin(emulator, 'POST', '/_emulator/faults', { error_rate: 0 });
      const types = (await stripe.events.list({ limit: 3 })).data.map((e) => e.type);
      expect(types).toEqual(['invoice.payment_succeeded', 'invoice.paid', 'invoice.updated']);
      const hooks = await receiver.waitFor(8);
      const delivered = hooks.map((h) => stripe.webhooks.constructEvent(h.body, h.signature, 'whsec_pay').type);
      expect(delivered).toContain('invoice.payment_succeeded');

      const again = await admin<StripeErrorBody>(emulator, 'POST', `/_emulator/invoices/${id}/pay`);
      expect(again.status).toBe(400);
      expect(again.body.error.message).toBe('Invoice is already paid');
      expect((await admin<StripeErrorBody>(emulator, 'POST', `/_emulator/invoices/${id}/fail`)).status).toBe(400);
    } finally {
      await receiver.close();
    }
  });

  it('refuses to collect a draft, and 404s an unknown invoice', async () => {
    const { id: customer } = await stripe.customers.create({ name: 'draft' });
    const draft = await stripe.invoices.create({ customer });
    const refused = await admin<StripeErrorBody>(emulator, 'POST', `/_emulator/invoices/${draft.id}/pay`);
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toBe("You can only pass in open invoices. This invoice isn't open.");
    expect((await stripe.invoices.retrieve(draft.id)).status).toBe('draft');
    const missing = await admin<StripeErrorBody>(emulator, 'POST', '/_emulator/invoices/in_missing/fail');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'resource_missing' });
  });

  it('POST /_emulator/dashboard/invoices makes an invoice with lines, optionally finalized', async () => {
    const { id: customer } = await stripe.customers.create({ email: 'dash@example.com' });
    const draft = await admin<Invoice>(emulator, 'POST', '/_emulator/dashboard/invoices', {
      customer,
      description: 'From the dashboard',
      metadata: { source: 'dashboard' },
      lines: [{ amount: 1000, description: 'Consulting' }, { unit_amount: 250, quantity: 4, description: 'Hours' }],
    });
    expect(draft.status).toBe(200);
    expect(draft.body).toMatchObject({ status: 'draft', customer, description: 'From the dashboard', metadata: { source: 'dashboard' }, total: 2000 });
    expect(draft.body.lines.data.map((l) => [l.description, l.amount, l.quantity])).toEqual([['Consulting', 1000, 1], ['Hours', 1000, 4]]);

    const finalized = await admin<Invoice>(emulator, 'POST', '/_emulator/dashboard/invoices', {
      customer, collection_method: 'send_invoice', days_until_due: 10, currency: 'eur', finalize: true, lines: [{ amount: 300 }],
    });
    expect(finalized.body).toMatchObject({ status: 'open', currency: 'eur', amount_due: 300 });
    expect(finalized.body.number).toMatch(/-0001$/);
    expect((await stripe.invoices.retrieve(finalized.body.id)).status).toBe('open');
    const types = (await stripe.events.list({ limit: 100 })).data.map((e) => e.type).reverse();
    expect(types).toEqual([
      'customer.created',
      'invoice.created', 'invoiceitem.created', 'invoiceitem.created',
      'invoice.created', 'invoiceitem.created', 'invoice.updated', 'invoice.finalized',
    ]);
  });

  it('validates dashboard invoices before creating anything', async () => {
    const { id: customer } = await stripe.customers.create({ name: 'v' });
    const bad = await admin<StripeErrorBody>(emulator, 'POST', '/_emulator/dashboard/invoices', { customer, lines: [{ amount: 100 }, { description: 'no amount' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'parameter_missing', param: 'amount' });
    expect((await admin(emulator, 'POST', '/_emulator/dashboard/invoices', { customer, lines: [{ colour: 'red' }] })).status).toBe(400);
    expect((await admin(emulator, 'POST', '/_emulator/dashboard/invoices', { customer, lines: 'many' })).status).toBe(400);
    expect((await admin(emulator, 'POST', '/_emulator/dashboard/invoices', { customer: 'cus_missing', lines: [] })).status).toBe(400);
    expect((await stripe.invoices.list()).data).toHaveLength(0);
    expect((await stripe.invoiceItems.list()).data).toHaveLength(0);
  });

  it('GET /_emulator/invoices lists every invoice, oldest first, by customer, with deleted ones on request', async () => {
    const { id: a } = await stripe.customers.create({ name: 'a' });
    const { id: b } = await stripe.customers.create({ name: 'b' });
    const first = await stripe.invoices.create({ customer: a });
    const second = await stripe.invoices.create({ customer: b });
    const third = await stripe.invoices.create({ customer: a });
    await stripe.invoices.del(third.id);
    expect((await admin<Invoice[]>(emulator, 'GET', '/_emulator/invoices')).body.map((i) => i.id)).toEqual([first.id, second.id]);
    expect((await admin<Invoice[]>(emulator, 'GET', `/_emulator/invoices?customer=${a}`)).body.map((i) => i.id)).toEqual([first.id]);
    const withDeleted = (await admin<Invoice[]>(emulator, 'GET', '/_emulator/invoices?include_deleted=true')).body;
    expect(withDeleted.map((i) => [i.id, i.deleted ?? false])).toEqual([[first.id, false], [second.id, false], [third.id, true]]);
  });
});
