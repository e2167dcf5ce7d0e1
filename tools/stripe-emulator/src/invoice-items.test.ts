import Stripe from 'stripe';
import type { RunningEmulator } from './index';
import { raw, rejectionOf, sdk, startTestEmulator, type StripeErrorBody } from './test/helpers';

let now = Date.UTC(2033, 0, 1);
let emulator: RunningEmulator;
let stripe: Stripe;

beforeAll(async () => {
  emulator = await startTestEmulator({ clock: () => now });
  stripe = sdk(emulator);
});
afterAll(() => emulator.close());
beforeEach(() => emulator.state.reset());

const newCustomer = async (): Promise<string> => (await stripe.customers.create({ name: 'Items' })).id;

describe('invoice items', () => {
  it('are created with Stripe’s shape, retrieved, updated and deleted', async () => {
    const customer = await newCustomer();
    const item = await stripe.invoiceItems.create({ customer, amount: 2500, currency: 'EUR', description: 'Setup fee', metadata: { sku: 'setup' } });
    expect(item.id).toMatch(/^ii_[A-Za-z0-9]{24}$/);
    const date = Math.floor(now / 1000);
    expect(item).toMatchObject({
      object: 'invoiceitem',
      amount: 2500,
      currency: 'eur',
      customer,
      date,
      description: 'Setup fee',
      discountable: true,
      invoice: null,
      livemode: false,
      metadata: { sku: 'setup' },
      period: { start: date, end: date },
      proration: false,
      quantity: 1,
      parent: null,
      test_clock: null,
    });
    expect(String(item.quantity_decimal)).toBe('1');
    expect(String(item.pricing?.unit_amount_decimal)).toBe('2500');
    expect(await stripe.invoiceItems.retrieve(item.id)).toEqual(item);

    const updated = await stripe.invoiceItems.update(item.id, { unit_amount_decimal: Stripe.Decimal.from('1000'), quantity: 3, metadata: { sku: '' } });
    expect(updated).toMatchObject({ amount: 3000, quantity: 3, metadata: {} });
    const fixed = await stripe.invoiceItems.update(item.id, { amount: 700 });
    expect(fixed).toMatchObject({ amount: 700, quantity: 1 });

    expect(await stripe.invoiceItems.del(item.id)).toEqual({ id: item.id, object: 'invoiceitem', deleted: true });
    const gone = await rejectionOf(stripe.invoiceItems.retrieve(item.id));
    expect(gone).toMatchObject({ statusCode: 404, code: 'resource_missing', message: `No such invoiceitem: '${item.id}'` });
  });

  it('list newest first, filtered by customer, invoice and pending', async () => {
    const a = await newCustomer();
    const b = await newCustomer();
    const invoice = await stripe.invoices.create({ customer: a });
    const pendingA = await stripe.invoiceItems.create({ customer: a, amount: 1, currency: 'usd' });
    now += 1000;
    const onInvoice = await stripe.invoiceItems.create({ invoice: invoice.id, amount: 2, currency: 'usd' });
    now += 1000;
    const pendingB = await stripe.invoiceItems.create({ customer: b, amount: 3, currency: 'usd' });
    const ids = async (params: Stripe.InvoiceItemListParams): Promise<string[]> => (await stripe.invoiceItems.list(params)).data.map((i) => i.id);
    expect(await ids({})).toEqual([pendingB.id, onInvoice.id, pendingA.id]);
    expect(await ids({ customer: a })).toEqual([onInvoice.id, pendingA.id]);
    expect(await ids({ invoice: invoice.id })).toEqual([onInvoice.id]);
    expect(await ids({ pending: true })).toEqual([pendingB.id, pendingA.id]);
    expect(await ids({ pending: false })).toEqual([onInvoice.id]);
    // An item created with only `invoice` belongs to the invoice's customer.
    expect(onInvoice.customer).toBe(a);
    const all: string[] = [];
    for await (const item of stripe.invoiceItems.list({ limit: 1 })) all.push(item.id);
    expect(all).toEqual([pendingB.id, onInvoice.id, pendingA.id]);
  });

  it('are frozen once their invoice is finalized', async () => {
    const customer = await newCustomer();
    const invoice = await stripe.invoices.create({ customer });
    const item = await stripe.invoiceItems.create({ customer, invoice: invoice.id, amount: 100, currency: 'usd' });
    await stripe.invoices.finalizeInvoice(invoice.id);
    const expected = { statusCode: 400, code: 'invoice_not_editable', message: 'Invalid invoice: This invoice is no longer editable' };
    expect(await rejectionOf(stripe.invoiceItems.update(item.id, { amount: 200 }))).toMatchObject(expected);
    expect(await rejectionOf(stripe.invoiceItems.del(item.id))).toMatchObject(expected);
    expect(await rejectionOf(stripe.invoiceItems.create({ customer, invoice: invoice.id, amount: 5, currency: 'usd' }))).toMatchObject(expected);
    expect((await stripe.invoices.retrieve(invoice.id)).total).toBe(100);
  });

  it('leave a draft’s lines and totals when deleted or changed', async () => {
    const customer = await newCustomer();
    const invoice = await stripe.invoices.create({ customer });
    const a = await stripe.invoiceItems.create({ customer, invoice: invoice.id, amount: 100, currency: 'usd' });
    await stripe.invoiceItems.create({ customer, invoice: invoice.id, amount: 200, currency: 'usd' });
    await stripe.invoiceItems.update(a.id, { amount: 150, description: 'changed' });
    const changed = await stripe.invoices.retrieve(invoice.id);
    expect(changed.lines.data.map((l) => [l.amount, l.description])).toEqual([[150, 'changed'], [200, null]]);
    expect(changed.total).toBe(350);
    await stripe.invoiceItems.del(a.id);
    const after = await stripe.invoices.retrieve(invoice.id);
    expect(after.lines.data.map((l) => l.amount)).toEqual([200]);
    expect(after).toMatchObject({ total: 200, amount_due: 200 });
  });

  it('refuse what Stripe refuses', async () => {
    const customer = await newCustomer();
    const invoice = await stripe.invoices.create({ customer, currency: 'usd' });
    const mismatch = await rejectionOf(stripe.invoiceItems.create({ customer, invoice: invoice.id, amount: 1, currency: 'eur' }));
    expect(mismatch).toMatchObject({ statusCode: 400, param: 'currency' });
    const other = await newCustomer();
    expect((await rejectionOf(stripe.invoiceItems.create({ customer: other, invoice: invoice.id, amount: 1 }))).param).toBe('invoice');
    expect(await rejectionOf(stripe.invoiceItems.create({ customer, invoice: 'in_missing', amount: 1 }))).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'invoice' });
    expect(await rejectionOf(stripe.invoiceItems.create({ customer: 'cus_missing', amount: 1, currency: 'usd' }))).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'customer' });
    expect((await rejectionOf(stripe.invoiceItems.create({ customer, currency: 'usd' }))).code).toBe('parameter_missing');
    expect((await rejectionOf(stripe.invoiceItems.create({ customer, amount: 5, quantity: 2, currency: 'usd' }))).message).toBe('You may only specify one of these parameters: amount, quantity.');
    expect(await rejectionOf(stripe.invoiceItems.create({ customer, pricing: { price: 'price_123' }, currency: 'usd' }))).toMatchObject({ code: 'resource_missing', param: 'pricing[price]' });
    const unknown = await raw(emulator, 'POST', '/v1/invoiceitems', { body: `customer=${customer}&amount=1&currency=usd&colour=red` });
    expect((unknown.body as StripeErrorBody).error).toMatchObject({ code: 'parameter_unknown', param: 'colour' });
    const badDecimal = await raw(emulator, 'POST', '/v1/invoiceitems', { body: `customer=${customer}&unit_amount_decimal=1.2.3&currency=usd` });
    expect((badDecimal.body as StripeErrorBody).error).toMatchObject({ param: 'unit_amount_decimal', message: 'Invalid decimal: 1.2.3' });
    await stripe.customers.del(customer);
    expect((await rejectionOf(stripe.invoiceItems.create({ customer, amount: 1, currency: 'usd' }))).code).toBe('resource_missing');
  });
});
