import Stripe from 'stripe';
import type { RunningEmulator } from './index';
import { raw, rejectionOf, sdk, startTestEmulator, type StripeErrorBody } from './test/helpers';

let now = Date.UTC(2032, 2, 1);
let emulator: RunningEmulator;
let stripe: Stripe;

beforeAll(async () => {
  emulator = await startTestEmulator({ clock: () => now });
  stripe = sdk(emulator);
});
afterAll(() => emulator.close());
beforeEach(() => emulator.state.reset());

const customer = (fields: Stripe.CustomerCreateParams = {}): Promise<Stripe.Customer> => stripe.customers.create({ email: 'billing@example.com', name: 'Acme', ...fields });

async function draftWith(amounts: number[], params: Partial<Stripe.InvoiceCreateParams> = {}): Promise<Stripe.Invoice> {
  const { id: cus } = await customer();
  const invoice = await stripe.invoices.create({ customer: cus, ...params });
  for (const amount of amounts) await stripe.invoiceItems.create({ customer: cus, invoice: invoice.id, amount, currency: 'usd' });
  return stripe.invoices.retrieve(invoice.id);
}

describe('draft invoices', () => {
  it('are created with Stripe’s shape and the live customer details', async () => {
    const cus = await customer({ phone: '+15555550100', address: { city: 'Paris', country: 'FR' } });
    const invoice = await stripe.invoices.create({ customer: cus.id, description: 'March', metadata: { order: '42' } });
    expect(invoice.id).toMatch(/^in_[A-Za-z0-9]{24}$/);
    expect(invoice).toMatchObject({
      object: 'invoice',
      status: 'draft',
      customer: cus.id,
      currency: 'usd',
      collection_method: 'charge_automatically',
      auto_advance: false,
      billing_reason: 'manual',
      description: 'March',
      metadata: { order: '42' },
      number: null,
      due_date: null,
      hosted_invoice_url: null,
      invoice_pdf: null,
      livemode: false,
      attempt_count: 0,
      attempted: false,
      amount_due: 0,
      amount_paid: 0,
      amount_remaining: 0,
      subtotal: 0,
      total: 0,
      customer_email: 'billing@example.com',
      customer_name: 'Acme',
      customer_phone: '+15555550100',
      customer_address: { city: 'Paris', country: 'FR', line1: null, line2: null, postal_code: null, state: null },
      status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
      lines: { object: 'list', data: [], has_more: false, url: `/v1/invoices/${invoice.id}/lines` },
    });
    expect(invoice.created).toBe(Math.floor(now / 1000));
    expect([invoice.period_start, invoice.period_end]).toEqual([invoice.created, invoice.created]);
    // While a draft, the customer fields follow the customer.
    await stripe.customers.update(cus.id, { email: 'new@example.com' });
    expect((await stripe.invoices.retrieve(invoice.id)).customer_email).toBe('new@example.com');
  });

  it('turn 25 items into 25 lines: 10 embedded, the rest paged in through listLineItems', async () => {
    const amounts = Array.from({ length: 25 }, (_, i) => 100 * (i + 1));
    const invoice = await draftWith(amounts);
    const sum = amounts.reduce((a, b) => a + b, 0);
    expect(invoice).toMatchObject({ subtotal: sum, total: sum, amount_due: sum, amount_paid: 0, amount_remaining: sum, subtotal_excluding_tax: sum, total_excluding_tax: sum });
    expect(invoice.lines.data).toHaveLength(10);
    expect(invoice.lines.has_more).toBe(true);
    expect(invoice.lines.data.map((l) => l.amount)).toEqual(amounts.slice(0, 10));

    const pages: number[][] = [];
    let startingAfter: string | undefined;
    for (;;) {
      const page = await stripe.invoices.listLineItems(invoice.id, { limit: 10, ...(startingAfter === undefined ? {} : { starting_after: startingAfter }) });
      pages.push(page.data.map((l) => l.amount));
      if (!page.has_more) break;
      startingAfter = page.data[page.data.length - 1]!.id;
    }
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(pages.flat()).toEqual(amounts);

    const all: Stripe.InvoiceLineItem[] = [];
    for await (const line of stripe.invoices.listLineItems(invoice.id, { limit: 10 })) all.push(line);
    expect(all.map((l) => l.amount)).toEqual(amounts);
    expect(new Set(all.map((l) => l.id)).size).toBe(25);
    const items = await stripe.invoiceItems.list({ invoice: invoice.id, limit: 100 });
    expect(new Set(all.map((l) => l.parent?.invoice_item_details?.invoice_item))).toEqual(new Set(items.data.map((i) => i.id)));
    expect(all[0]).toMatchObject({ object: 'line_item', invoice: invoice.id, currency: 'usd', quantity: 1, subtotal: 100, parent: { type: 'invoice_item_details' } });

    const back = await stripe.invoices.listLineItems(invoice.id, { limit: 10, ending_before: all[20]!.id });
    expect(back.data.map((l) => l.amount)).toEqual(amounts.slice(10, 20));
    expect(back.has_more).toBe(true);
    const limit = await rejectionOf(stripe.invoices.listLineItems(invoice.id, { limit: 101 }));
    expect(limit).toMatchObject({ statusCode: 400, param: 'limit' });
  });

  it('compute amounts from unit_amount_decimal × quantity in minor units', async () => {
    const { id: cus } = await customer();
    const invoice = await stripe.invoices.create({ customer: cus });
    const item = await stripe.invoiceItems.create({ customer: cus, invoice: invoice.id, unit_amount_decimal: Stripe.Decimal.from('12.5'), quantity: 3, currency: 'usd' });
    expect(item).toMatchObject({ amount: 38, quantity: 3 });
    expect(String(item.pricing?.unit_amount_decimal)).toBe('12.5');
    await stripe.invoiceItems.create({ customer: cus, invoice: invoice.id, amount: -500, currency: 'usd', description: 'credit' });
    const fetched = await stripe.invoices.retrieve(invoice.id);
    expect(fetched).toMatchObject({ subtotal: -462, total: -462, amount_due: 0 });
  });

  it('update their fields, and refuse invalid due-date combinations', async () => {
    const { id: cus } = await customer();
    const invoice = await stripe.invoices.create({ customer: cus });
    const updated = await stripe.invoices.update(invoice.id, { collection_method: 'send_invoice', days_until_due: 30, description: 'later', footer: 'thanks' });
    expect(updated).toMatchObject({ collection_method: 'send_invoice', due_date: invoice.created + 30 * 86_400, description: 'later', footer: 'thanks' });
    const back = await stripe.invoices.update(invoice.id, { collection_method: 'charge_automatically' });
    expect(back.due_date).toBeNull();

    const noDue = await rejectionOf(stripe.invoices.create({ customer: cus, collection_method: 'send_invoice' }));
    expect(noDue).toMatchObject({ statusCode: 400, message: "If invoice collection method is 'send_invoice', you must specify 'due_date' or 'days_until_due'." });
    const dueOnCharge = await rejectionOf(stripe.invoices.create({ customer: cus, days_until_due: 3 }));
    expect(dueOnCharge.message).toBe("You can only specify 'due_date' or 'days_until_due' if invoice collection method is 'send_invoice'.");
    const dated = await stripe.invoices.create({ customer: cus, collection_method: 'send_invoice', due_date: 2_000_000_000 });
    expect(dated.due_date).toBe(2_000_000_000);
  });

  it('refuse a missing, unknown or deleted customer', async () => {
    const missing = await raw(emulator, 'POST', '/v1/invoices', { body: 'auto_advance=false' });
    expect((missing.body as StripeErrorBody).error).toMatchObject({ code: 'parameter_missing', param: 'customer' });
    const unknown = await rejectionOf(stripe.invoices.create({ customer: 'cus_nobody' }));
    expect(unknown).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'customer', message: "No such customer: 'cus_nobody'" });
    const { id } = await customer();
    await stripe.customers.del(id);
    const deleted = await rejectionOf(stripe.invoices.create({ customer: id }));
    expect(deleted).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'customer', message: `No such customer: '${id}'` });
    expect((await stripe.invoices.list()).data).toHaveLength(0);
  });

  it('refuse unknown parameters and bad values', async () => {
    const { id } = await customer();
    const unknown = await raw(emulator, 'POST', '/v1/invoices', { body: `customer=${id}&colour=red` });
    expect(unknown.status).toBe(400);
    expect((unknown.body as StripeErrorBody).error).toMatchObject({ code: 'parameter_unknown', param: 'colour', message: 'Received unknown parameter: colour' });
    const method = await raw(emulator, 'POST', '/v1/invoices', { body: `customer=${id}&collection_method=cash` });
    expect((method.body as StripeErrorBody).error).toMatchObject({ param: 'collection_method', message: 'Invalid collection_method: must be one of charge_automatically, or send_invoice' });
    const status = await raw(emulator, 'GET', '/v1/invoices?status=late');
    expect((status.body as StripeErrorBody).error.message).toBe('Invalid status: must be one of draft, open, void, paid, or uncollectible');
    const missing = await rejectionOf(stripe.invoices.retrieve('in_missing'));
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing', message: "No such invoice: 'in_missing'" });
  });

  it('include pending invoice items only when asked', async () => {
    const { id: cus } = await customer();
    const first = await stripe.invoiceItems.create({ customer: cus, amount: 100, currency: 'usd' });
    now += 1000;
    const second = await stripe.invoiceItems.create({ customer: cus, amount: 200, currency: 'usd' });
    await stripe.invoiceItems.create({ customer: cus, amount: 999, currency: 'eur' });
    const excluded = await stripe.invoices.create({ customer: cus });
    expect(excluded.lines.data).toHaveLength(0);
    const included = await stripe.invoices.create({ customer: cus, currency: 'usd', pending_invoice_items_behavior: 'include' });
    // Pending items come in newest first, as Stripe orders them.
    expect(included.lines.data.map((l) => l.parent?.invoice_item_details?.invoice_item)).toEqual([second.id, first.id]);
    expect(included.total).toBe(300);
    expect((await stripe.invoiceItems.retrieve(first.id)).invoice).toBe(included.id);
    expect((await stripe.invoiceItems.list({ customer: cus, pending: true })).data.map((i) => i.currency)).toEqual(['eur']);
  });
});

describe('status transitions', () => {
  it('finalize assigns sequential numbers, URLs and finalized_at, and freezes the customer details', async () => {
    const a = await draftWith([1000]);
    const finalized = await stripe.invoices.finalizeInvoice(a.id);
    expect(finalized).toMatchObject({ status: 'open', amount_due: 1000, amount_remaining: 1000, ending_balance: 0 });
    expect(finalized.number).toMatch(/^[0-9A-F]{8}-0001$/);
    expect(finalized.hosted_invoice_url).toMatch(/^https:\/\/invoice\.stripe\.com\/i\/acct_emulator\/test_/);
    expect(finalized.invoice_pdf).toMatch(/^https:\/\/pay\.stripe\.com\/invoice\/acct_emulator\/test_.*\/pdf$/);
    expect(finalized.status_transitions.finalized_at).toBe(Math.floor(now / 1000));
    expect(finalized.effective_at).toBe(finalized.status_transitions.finalized_at);
    const b = await stripe.invoices.finalizeInvoice((await draftWith([500])).id);
    expect(b.number).toBe(`${finalized.number!.slice(0, 8)}-0002`);

    await stripe.customers.update(a.customer as string, { name: 'Renamed' });
    expect((await stripe.invoices.retrieve(a.id)).customer_name).toBe('Acme');

    const again = await rejectionOf(stripe.invoices.finalizeInvoice(a.id));
    expect(again).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(again).toMatchObject({ statusCode: 400, message: "This invoice is already finalized, you can't re-finalize a non-draft invoice." });
  });

  it('pay moves open to paid with the amounts settled, once', async () => {
    const { id } = await stripe.invoices.finalizeInvoice((await draftWith([700, 300])).id);
    now += 5000;
    const paid = await stripe.invoices.pay(id);
    expect(paid).toMatchObject({ status: 'paid', amount_due: 1000, amount_paid: 1000, amount_remaining: 0, attempted: true, attempt_count: 1 });
    expect((paid as unknown as { paid: boolean }).paid).toBe(true);
    expect(paid.status_transitions.paid_at).toBe(Math.floor(now / 1000));
    expect((await rejectionOf(stripe.invoices.pay(id))).message).toBe('Invoice is already paid');
    expect((await rejectionOf(stripe.invoices.voidInvoice(id))).message).toBe('Invoices with `paid` payments cannot be voided.');
    expect((await rejectionOf(stripe.invoices.markUncollectible(id))).message).toBe("You can only pass in open invoices. This invoice isn't open.");
  });

  it('pay finalizes a draft first, and paid_out_of_band makes no payment attempt', async () => {
    const paid = await stripe.invoices.pay((await draftWith([1200])).id);
    expect(paid).toMatchObject({ status: 'paid', amount_paid: 1200, attempt_count: 1 });
    expect(paid.number).toMatch(/-0001$/);
    const outOfBand = await stripe.invoices.pay((await stripe.invoices.finalizeInvoice((await draftWith([50])).id)).id, { paid_out_of_band: true });
    expect(outOfBand).toMatchObject({ status: 'paid', amount_paid: 50, attempted: false, attempt_count: 0 });
  });

  it('settles a $0 invoice at finalization', async () => {
    const zero = await stripe.invoices.finalizeInvoice((await draftWith([])).id);
    expect(zero).toMatchObject({ status: 'paid', amount_due: 0, attempted: true, attempt_count: 0 });
    expect(zero.status_transitions.paid_at).toBe(zero.status_transitions.finalized_at);
  });

  it('void an open or uncollectible invoice, nothing else', async () => {
    const draft = await draftWith([100]);
    expect((await rejectionOf(stripe.invoices.voidInvoice(draft.id))).message).toBe("You can only pass in open invoices. This invoice isn't open.");
    await stripe.invoices.finalizeInvoice(draft.id);
    const voided = await stripe.invoices.voidInvoice(draft.id);
    expect(voided).toMatchObject({ status: 'void', amount_due: 100 });
    expect(voided.status_transitions.voided_at).toBe(Math.floor(now / 1000));
    expect((await rejectionOf(stripe.invoices.voidInvoice(draft.id))).message).toBe("You can only pass in open invoices. This invoice isn't open.");
    expect((await rejectionOf(stripe.invoices.pay(draft.id))).message).toBe("You can only pass in open invoices. This invoice isn't open.");

    const other = await stripe.invoices.finalizeInvoice((await draftWith([100])).id);
    const uncollectible = await stripe.invoices.markUncollectible(other.id);
    expect(uncollectible.status).toBe('uncollectible');
    expect(uncollectible.status_transitions.marked_uncollectible_at).toBe(Math.floor(now / 1000));
    expect((await rejectionOf(stripe.invoices.markUncollectible(other.id))).message).toBe('This invoice has already been marked uncollectible.');
    expect((await stripe.invoices.voidInvoice(other.id)).status).toBe('void');
  });

  it('an uncollectible invoice can still be paid', async () => {
    const { id } = await stripe.invoices.finalizeInvoice((await draftWith([100])).id);
    await stripe.invoices.markUncollectible(id);
    expect(await stripe.invoices.pay(id)).toMatchObject({ status: 'paid', amount_paid: 100, amount_remaining: 0 });
  });

  it('send only a send_invoice invoice that is open (or a draft, which it finalizes)', async () => {
    const charge = await stripe.invoices.finalizeInvoice((await draftWith([100])).id);
    const refusal = 'This invoice cannot be sent right now. Please contact us via https://support.stripe.com/contact with details, so we can help.';
    expect((await rejectionOf(stripe.invoices.sendInvoice(charge.id))).message).toBe(refusal);

    const draft = await draftWith([100], { collection_method: 'send_invoice', days_until_due: 14 });
    expect(draft.due_date).toBe(draft.created + 14 * 86_400);
    const sent = await stripe.invoices.sendInvoice(draft.id);
    expect(sent).toMatchObject({ status: 'open', collection_method: 'send_invoice' });
    expect(sent.number).not.toBeNull();
    expect(await stripe.invoices.sendInvoice(draft.id)).toEqual(await stripe.invoices.retrieve(draft.id));
    await stripe.invoices.pay(draft.id);
    expect((await rejectionOf(stripe.invoices.sendInvoice(draft.id))).message).toBe(refusal);
  });

  it('delete only drafts, and their items with them', async () => {
    const draft = await draftWith([100, 200]);
    const items = (await stripe.invoiceItems.list({ invoice: draft.id })).data;
    expect(await stripe.invoices.del(draft.id)).toEqual({ id: draft.id, object: 'invoice', deleted: true });
    const gone = await rejectionOf(stripe.invoices.retrieve(draft.id));
    expect(gone).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'invoice' });
    expect((await rejectionOf(stripe.invoiceItems.retrieve(items[0]!.id))).statusCode).toBe(404);
    expect((await stripe.invoices.list()).data).toHaveLength(0);

    const open = await stripe.invoices.finalizeInvoice((await draftWith([100])).id);
    const refused = await rejectionOf(stripe.invoices.del(open.id));
    expect(refused).toMatchObject({ statusCode: 400, message: 'You can only delete draft invoices.' });
    expect((await stripe.invoices.retrieve(open.id)).status).toBe('open');
  });

  it('accept only metadata and auto_advance once finalized', async () => {
    const { id } = await stripe.invoices.finalizeInvoice((await draftWith([100])).id);
    const refused = await rejectionOf(stripe.invoices.update(id, { description: 'too late' }));
    expect(refused).toMatchObject({ statusCode: 400, param: 'description', message: "Finalized invoices can't be updated in this way" });
    await stripe.invoices.pay(id);
    const tagged = await stripe.invoices.update(id, { metadata: { synced: 'yes' }, auto_advance: false });
    expect(tagged).toMatchObject({ status: 'paid', metadata: { synced: 'yes' } });
  });
});

describe('GET /v1/invoices', () => {
  it('lists newest first, filters by customer, status and created, and auto-paginates', async () => {
    const { id: a } = await customer();
    const { id: b } = await customer();
    const created: string[] = [];
    for (let i = 0; i < 7; i++) {
      created.push((await stripe.invoices.create({ customer: i % 2 === 0 ? a : b })).id);
      now += 1000;
    }
    await stripe.invoices.finalizeInvoice(created[0]!);
    const all: string[] = [];
    for await (const invoice of stripe.invoices.list({ limit: 3 })) all.push(invoice.id);
    expect(all).toEqual([...created].reverse());
    expect((await stripe.invoices.list({ customer: b })).data.map((i) => i.id)).toEqual([created[5], created[3], created[1]]);
    expect((await stripe.invoices.list({ status: 'paid' })).data.map((i) => i.id)).toEqual([created[0]]);
    expect((await stripe.invoices.list({ status: 'draft' })).data).toHaveLength(6);
    const t3 = (await stripe.invoices.retrieve(created[3]!)).created;
    expect((await stripe.invoices.list({ created: { gte: t3 } })).data.map((i) => i.id)).toEqual([created[6], created[5], created[4], created[3]]);
    const page = await stripe.invoices.list({ limit: 2, starting_after: created[4]! });
    expect(page.data.map((i) => i.id)).toEqual([created[3], created[2]]);
    expect(page.has_more).toBe(true);
    const before = await stripe.invoices.list({ limit: 2, ending_before: created[4]! });
    expect(before.data.map((i) => i.id)).toEqual([created[6], created[5]]);
    const cursor = await rejectionOf(stripe.invoices.list({ starting_after: 'in_nope' }));
    expect(cursor).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'starting_after' });
  });
});
