/**
 * Invoices end to end: a draft made through our API becomes one Stripe invoice (auto_advance
 * false, our lines, our id in metadata), our finalize follows there, and what Stripe learns — the
 * number, the hosted page and PDF, the payment — comes back to our invoice. Every app as a
 * process, the Stripe emulator as one, real Postgres and Kafka.
 */
import { query, resetDatabase } from '../test/support/db';
import { api } from './support/api';
import { emulator } from './support/emulator';
import { isolateTopics, runCli, startApp, startEmulator, stop, urlOf, waitFor, waitReady, WEBHOOK_SECRET, type AppName, type Proc } from './support/stack';

const procs: Proc[] = [];
const config = { OUTBOUND_RETRY_BASE_MS: '100', STRIPE_WRITE_RATE: '1000', RECONCILE_INTERVAL_MS: '0' };

interface EmuInvoice {
  id: string;
  customer: string;
  status: string;
  auto_advance: boolean;
  currency: string;
  number: string | null;
  metadata: Record<string, string>;
  lines: { data: Array<{ description: string; quantity: number; amount: number }> };
}
interface OurInvoice {
  id: number;
  status: string;
  number: string | null;
  amount_due: number;
  amount_paid: number;
  hosted_invoice_url: string | null;
  invoice_pdf: string | null;
  paid_at: string | null;
  external_mappings: Array<{ external_system: string; external_object_type: string; external_id: string }>;
}

beforeAll(async () => {
  await resetDatabase();
  await isolateTopics('invoices');
  procs.push(startEmulator());
  await waitReady('emulator', '/_emulator/health');
  await emulator.reset({ endpoints: true });
  await emulator.addWebhook(`${urlOf('webhook-gateway')}/api/v1/webhooks/stripe`, WEBHOOK_SECRET);
  const apps: AppName[] = ['api', 'webhook-gateway', 'outbound-worker', 'inbound-worker'];
  procs.push(...apps.map((a) => startApp(a, config)));
  await Promise.all(apps.map((a) => waitReady(a)));
}, 60_000);
afterAll(async () => {
  await Promise.all(procs.map((p) => stop(p)));
});

const stripeInvoices = async (): Promise<EmuInvoice[]> => (await fetch(`${urlOf('emulator')}/_emulator/invoices`)).json() as Promise<EmuInvoice[]>;
const ours = async (id: number) => (await api<OurInvoice>('GET', `/api/v1/invoices/${id}`)).body;

describe('invoices, made here, collected through Stripe', () => {
  let invoiceId: number;
  let stripeId: string;

  it('a draft made here becomes one Stripe invoice with our lines, for the customer’s Stripe record', async () => {
    const customer = await api<{ id: number }>('POST', '/api/v1/customers', { name: 'Invoiced Co', email: 'invoiced@x.io' });
    expect(customer.status).toBe(201);
    const created = await api<{ id: number }>('POST', '/api/v1/invoices', {
      customer_id: customer.body.id,
      currency: 'EUR',
      collection_method: 'send_invoice',
      due_date: '2027-01-31',
      lines: [
        { description: 'Consulting', quantity: 3, unit_amount: 15000 },
        { description: 'Travel', quantity: 1, unit_amount: 4250 },
      ],
    });
    expect(created.status).toBe(201);
    invoiceId = created.body.id;
    // The push makes the invoice, then adds its lines: wait for both (the mapping comes after the last line).
    const there = await waitFor(
      'the Stripe invoice with its lines',
      async () => (await stripeInvoices()).find((i) => i.metadata.internal_invoice_id === String(invoiceId) && i.lines.data.length >= 2),
      30_000,
      100,
    );
    stripeId = there.id;
    const [mapping] = await query<{ external_id: string }>(`select external_id from external_mappings where entity_type = 'customer' and internal_id = $1 and external_system = 'stripe'`, [customer.body.id]);
    expect(there).toMatchObject({ customer: mapping!.external_id, status: 'draft', auto_advance: false, currency: 'eur' });
    expect(there.lines.data.map((l) => [l.description, l.quantity, l.amount])).toEqual([
      ['Consulting', 3, 45000],
      ['Travel', 1, 4250],
    ]);
    expect((await stripeInvoices()).filter((i) => i.metadata.internal_invoice_id === String(invoiceId))).toHaveLength(1);
    await waitFor('the invoice mapping', async () => ((await ours(invoiceId)).external_mappings.some((m) => m.external_system === 'stripe' && m.external_id === stripeId && m.external_object_type === 'invoice') ? true : undefined), 30_000, 100);
  });

  it('finalized here, it is finalized there, and the number Stripe assigns comes back', async () => {
    expect((await api('POST', `/api/v1/invoices/${invoiceId}/finalize`)).status).toBe(200);
    await waitFor('open in Stripe', async () => ((await stripeInvoices()).find((i) => i.id === stripeId)?.status === 'open' ? true : undefined), 30_000, 100);
    const back = await waitFor('the number here', async () => {
      const inv = await ours(invoiceId);
      return inv.number && inv.hosted_invoice_url && inv.invoice_pdf ? inv : undefined;
    }, 30_000, 100);
    expect(back).toMatchObject({ status: 'open', amount_due: 49250, number: (await stripeInvoices()).find((i) => i.id === stripeId)!.number });
  });

  it('paid in Stripe, it is paid here, and never moves back', async () => {
    const paid = await fetch(`${urlOf('emulator')}/_emulator/invoices/${stripeId}/pay`, { method: 'POST' });
    expect(paid.ok).toBe(true);
    const back = await waitFor('paid here', async () => {
      const inv = await ours(invoiceId);
      return inv.status === 'paid' ? inv : undefined;
    }, 30_000, 100);
    expect(back).toMatchObject({ amount_paid: 49250 });
    expect(back.paid_at).not.toBeNull();
    // Paid is terminal: our API refuses to void it.
    expect((await api('POST', `/api/v1/invoices/${invoiceId}/void`)).status).toBe(409);
  });
});

describe('invoices, operated with pnpm sync', () => {
  interface Report {
    catalog: string;
    drift_count: number;
    internal_invoices: number;
    external_invoices: number;
    by_kind: Record<string, number>;
  }
  const admin = async (path: string, body: unknown) => ((await (await fetch(`${urlOf('emulator')}/_emulator${path}`, { method: 'POST', body: JSON.stringify(body) })).json()) as { id: string }).id;

  it('status invoice <id>: the invoice as Stripe left it, its lines, its mapping and its sync events both ways', async () => {
    const [{ id }] = (await query<{ id: number }>(`select id from invoices order by id limit 1`)) as [{ id: number }];
    const status = await runCli<{ invoice: { status: string; number: string | null; amount_paid: string }; lines: unknown[]; mappings: Array<{ external_id: string }>; events: Array<{ direction: string }> }>(['status', 'invoice', String(id)]);
    expect(status.code).toBe(0);
    expect(status.json.invoice).toMatchObject({ status: 'paid', number: expect.any(String), amount_paid: '49250' });
    expect(status.json.lines).toHaveLength(2);
    expect(status.json.mappings).toEqual([expect.objectContaining({ external_id: expect.stringMatching(/^in_/) })]);
    expect(new Set(status.json.events.map((e) => e.direction))).toEqual(new Set(['outbound', 'inbound']));
    expect((await runCli(['status', 'invoice', '2147483000'])).code).toBe(4);
    expect((await runCli(['status', 'invoice', 'nope'])).code).toBe(2);
  }, 60_000);

  it('reconcile --catalog invoice finds an invoice made in Stripe that nobody told us of; backfill --catalog invoice imports it with its customer', async () => {
    const before = await runCli<Report>(['reconcile', '--catalog', 'invoice']);
    expect(before.code).toBe(0);
    expect(before.json).toMatchObject({ catalog: 'invoice', drift_count: 0, internal_invoices: 1, external_invoices: 1 });

    // Made in the dashboard, silently (no event, no webhook), for a customer only Stripe has.
    const stranger = await admin('/dashboard/customers?silent=true', { name: 'Walk-in', email: 'walk-in@x.io' });
    const made = await admin('/dashboard/invoices?silent=true', { customer: stranger, currency: 'eur', lines: [{ description: 'Repair', unit_amount: 12000 }], finalize: true });
    const drift = await runCli<Report>(['reconcile', '--catalog', 'invoice']);
    expect(drift.code).toBe(3);
    expect(drift.json.by_kind).toMatchObject({ missing_internally: 1 });
    // The API answers with the report the CLI stored, as stored, naming its catalog; without
    // ?catalog= it stays the customers' (none has run here).
    const shown = await api<Report & { stored_at: string }>('GET', '/api/v1/reconcile/last?catalog=invoice&system=stripe');
    expect(shown.status).toBe(200);
    const { stored_at, ...stored } = shown.body;
    expect(stored).toEqual(drift.json);
    expect(stored).toMatchObject({ catalog: 'invoice', drifts: [expect.objectContaining({ kind: 'missing_internally', external_id: made, invoice_id: null })] });
    expect(Number.isNaN(Date.parse(stored_at))).toBe(false);
    expect((await api('GET', '/api/v1/reconcile/last')).status).toBe(404);

    const backfill = await runCli<{ import: { seen: number; created: number } }>(['backfill', '--catalog', 'invoice', '--direction', 'import']);
    expect(backfill.code).toBe(0);
    expect(backfill.json.import).toMatchObject({ seen: 2, created: 1 });
    const [imported] = await query<{ status: string; amount_due: string; email: string }>(
      `select i.status, i.amount_due, c.email from invoices i join customers c on c.id = i.customer_id
        join external_mappings m on m.entity_type = 'invoice' and m.internal_id = i.id where m.external_id = $1`,
      [made],
    );
    expect(imported).toEqual({ status: 'open', amount_due: '12000', email: 'walk-in@x.io' });
    const after = await runCli<Report>(['reconcile', '--catalog', 'invoice']);
    expect(after.json).toMatchObject({ drift_count: 0, internal_invoices: 2, external_invoices: 2 });
    expect((await runCli(['reconcile', '--catalog', 'order'])).code).toBe(2);
  }, 90_000);
});

