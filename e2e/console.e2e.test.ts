/**
 * Issue "Operations": the sync console, in a real headless Chromium, against the real API (with
 * API keys), Kafka, Postgres, both workers, the webhook gateway and the Stripe emulator. A change
 * Stripe refuses is parked; the operator sees it with its error, fixes the cause, clicks Replay, and
 * sees the customer synced. An invoice shows what Stripe made of it: its number, status, amounts and
 * hosted page. Needs /usr/bin/chromium (scripts/chromium.sh install).
 */
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { query, resetDatabase } from '../test/support/db';
import { api } from './support/api';
import { emulator } from './support/emulator';
import { isolateTopics, ROOT, runCli, startApp, startEmulator, stop, urlOf, waitFor, waitReady, WEBHOOK_SECRET, type Proc } from './support/stack';

const KEY = 'console-e2e-key-0123456789abcdef';
/** The key's name in API_KEYS: what the console shows as who made each change. */
const KEY_NAME = 'ops-console';
const AUTH = { Authorization: `Bearer ${KEY}` };
const SCREENSHOT = path.join(ROOT, 'docs', 'console.png');
const ANALYTICS_SCREENSHOT = path.join(ROOT, 'docs', 'console-analytics.png');

let emu: Proc;
let apiProc: Proc;
let worker: Proc;
let inbound: Proc[] = [];
let browser: Browser;

beforeAll(async () => {
  await resetDatabase();
  await isolateTopics('console');
  emu = startEmulator();
  await waitReady('emulator', '/_emulator/health');
  apiProc = startApp('api', { API_KEYS: `${KEY_NAME}:${KEY}` });
  await waitReady('api');
  worker = startApp('outbound-worker', { OUTBOUND_RETRY_BASE_MS: '100', OUTBOUND_RETRY_MAX_MS: '2000', STRIPE_WRITE_RATE: '500', CIRCUIT_COOLDOWN_MS: '1000' });
  await waitReady('outbound-worker');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await Promise.all([worker, ...inbound, apiProc, emu].filter(Boolean).map((p) => stop(p)));
});

/** What the pixel check reads of a canvas (the e2e project compiles without the DOM types). */
interface PaintedCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } };
}

/** Polls an element's text until `ok` holds; the error names what was last seen. */
async function textOf(what: string, locator: Locator, ok: (text: string) => boolean, timeoutMs = 30_000): Promise<string> {
  let last = '(not found)';
  try {
    return await waitFor(what, async () => {
      if ((await locator.count()) === 0) return undefined;
      last = (await locator.first().textContent()) ?? '';
      return ok(last) ? last : undefined;
    }, timeoutMs, 200);
  } catch (err) {
    throw new Error(`${(err as Error).message}; last text seen: "${last}"`);
  }
}

/** The customer's audit trail and dead letters, to say why a step failed. */
async function history(id: number): Promise<string> {
  const events = await query(`select id, event_type, status, error_message, payload from sync_events where entity_id = $1 order by id`, [id]);
  const parked = await query(`select id, status, reason, resolution_note from dead_letters where message_key = $1 order by id`, [String(id)]);
  return [...events, ...parked].map((r) => JSON.stringify(r)).join('\n');
}

describe('the sync console', () => {
  let page: Page;
  const pageErrors: string[] = [];
  const failedCalls: string[] = [];

  beforeAll(async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('response', (res) => {
      if (res.url().includes('/api/') && res.status() >= 400) failedCalls.push(`${res.status()} ${res.url()}`);
    });
  });

  it('shows a parked change with its error; after the cause is fixed, Replay syncs the customer', async () => {
    // Stripe refuses this email (permanently): the create is parked at once with Stripe's message.
    await emulator.faults({ reject_email_pattern: '@rejected\\.test$' });
    const created = await api<{ id: number }>('POST', '/api/v1/customers', { name: 'Parker Lewis', email: 'parker@rejected.test' }, AUTH);
    expect(created.status).toBe(201);
    const id = created.body.id;
    const [parked] = await waitFor('the create to be parked', async () => {
      const rows = await query<{ id: number; reason: string }>(`select id, reason from dead_letters where message_key = $1 and status = 'parked'`, [String(id)]);
      return rows.length ? rows : undefined;
    });

    // The page itself is public; it asks for the key before it shows anything.
    await page.goto(`${urlOf('api')}/console/`);
    await page.getByTestId('api-key-input').waitFor();
    expect(await page.getByTestId('summary').isVisible()).toBe(false);
    await page.getByTestId('api-key-input').fill(KEY);
    await page.getByTestId('api-key-submit').click();

    const card = page.getByTestId(`dead-letter-${parked!.id}`);
    await card.waitFor({ timeout: 15_000 });
    await textOf('the dead letter’s error', page.getByTestId(`dead-letter-${parked!.id}-reason`), (t) => t.includes('Invalid email address: parker@rejected.test'));
    expect(await page.getByTestId(`dead-letter-${parked!.id}-envelope`).textContent()).toContain(`"customer_id": ${id}`);
    await textOf('the customer shown as parked', page.getByTestId(`customer-${id}-stripe-status`), (t) => t === 'parked');
    expect(await page.getByTestId(`customer-${id}-stripe-mapping`).textContent()).toBe('not linked');
    await textOf('the parked count', page.getByTestId('summary-parked'), (t) => t === '1');
    await textOf('the failed attempt in the events', page.getByTestId('events'), (t) => t.includes('Invalid email address: parker@rejected.test'));
    const [failed] = await query<{ id: number }>(`select id from sync_events where entity_id = $1 and status = 'failed' order by id limit 1`, [id]);
    expect(await page.getByTestId(`event-${failed!.id}-actor`).textContent()).toBe(KEY_NAME);
    // The picture for docs/: the parked message with its error and the two ways out.
    await page.screenshot({ path: SCREENSHOT });

    // Fix the cause, then replay from the console.
    await emulator.faults({ reject_email_pattern: null });
    await page.getByTestId(`dead-letter-${parked!.id}-replay`).click();
    await textOf('the replay notice', page.getByTestId('notice'), (t) => t.includes(`Dead letter #${parked!.id} replayed`), 10_000);
    await card.waitFor({ state: 'detached', timeout: 10_000 });

    await textOf('the customer shown as synced', page.getByTestId(`customer-${id}-stripe-status`), (t) => t === 'success', 45_000).catch(async (err: Error) => {
      throw new Error(`${err.message}\nwhat the worker did:\n${await history(id)}`);
    });
    const externalId = await textOf('the Stripe mapping', page.getByTestId(`customer-${id}-stripe-mapping`), (t) => t.startsWith('cus_'));
    const inStripe = (await emulator.customers()).filter((c) => c.metadata.internal_id === String(id));
    expect(inStripe.map((c) => ({ id: c.id, email: c.email }))).toEqual([{ id: externalId, email: 'parker@rejected.test' }]);
    await textOf('the parked count back to 0', page.getByTestId('summary-parked'), (t) => t === '0');
    await page.getByTestId('dead-letters-empty').waitFor();
    expect(await page.getByTestId('console-error').isVisible()).toBe(false);
    expect(pageErrors).toEqual([]);
    expect(failedCalls.filter((c) => !c.startsWith('401 ') && !c.includes('/reconcile/last'))).toEqual([]);
  }, 120_000);

  it('lists an invoice with its state in Stripe: the number it gave, the status, the amounts and its hosted page', async () => {
    // What Stripe learns of an invoice (its number, the payment) comes back through its webhooks.
    await emulator.reset({ endpoints: true });
    await emulator.addWebhook(`${urlOf('webhook-gateway')}/api/v1/webhooks/stripe`, WEBHOOK_SECRET);
    inbound = [startApp('webhook-gateway'), startApp('inbound-worker', { RECONCILE_INTERVAL_MS: '0' })];
    await Promise.all([waitReady('webhook-gateway'), waitReady('inbound-worker')]);
    const customer = await api<{ id: number }>('POST', '/api/v1/customers', { name: 'Invoiced Co', email: 'invoiced@console.test' }, AUTH);
    const lines = [
      { description: 'Seats', quantity: 3, unit_amount: 1250 },
      { description: 'Support', quantity: 1, unit_amount: 990 },
    ];
    const created = await api<{ id: number }>('POST', '/api/v1/invoices', { customer_id: customer.body.id, currency: 'EUR', lines }, AUTH);
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await api('POST', `/api/v1/invoices/${id}/finalize`, undefined, AUTH)).status).toBe(200);

    // Ours is open; Stripe's number comes back and the row shows it, with the link to its invoice there.
    const number = await textOf('the number Stripe gave', page.getByTestId(`invoice-${id}-number`), (t) => t !== '' && t !== '—', 45_000).catch(async (err: Error) => {
      throw new Error(`${err.message}\nwhat the sync did:\n${await history(id)}`);
    });
    expect(await page.getByTestId(`invoice-${id}-status`).textContent()).toBe('open');
    const stripeId = await textOf('the Stripe mapping', page.getByTestId(`invoice-${id}-stripe-mapping`), (t) => t.startsWith('in_'));
    const [there] = (await (await fetch(`${urlOf('emulator')}/_emulator/invoices`)).json()) as Array<{ id: string; number: string; hosted_invoice_url: string; amount_due: number }>;
    expect(there).toMatchObject({ id: stripeId, number, amount_due: 4740 });
    expect(await page.getByTestId(`invoice-${id}-due`).textContent()).toMatch(/47\.40/);
    // Its latest sync attempt either way went through (Stripe's echoes of our own calls are skips).
    expect(['success', 'skipped']).toContain(await page.getByTestId(`invoice-${id}-stripe-status`).textContent());

    // The customer pays on Stripe's page: paid here, paid in full, and the hosted page linked.
    await fetch(`${urlOf('emulator')}/_emulator/invoices/${stripeId}/pay`, { method: 'POST' });
    await textOf('the invoice shown as paid', page.getByTestId(`invoice-${id}-status`), (t) => t === 'paid', 45_000);
    expect(await page.getByTestId(`invoice-${id}-paid`).textContent()).toMatch(/47\.40/);
    expect(await page.getByTestId(`invoice-${id}-remaining`).textContent()).toMatch(/0\.00/);
    expect(await page.getByTestId(`invoice-${id}-link`).getAttribute('href')).toBe(there!.hosted_invoice_url);
    expect(await page.getByTestId('console-error').isVisible()).toBe(false);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('shows the last reconcile of each catalog, the invoices’ beside the customers’: system, finished time, drift count and the drifting rows', async () => {
    interface Report {
      system: string;
      finished_at: string;
      drift_count: number;
    }
    await page.getByTestId('reconcile-invoice-none').waitFor();
    await page.getByTestId('reconcile-customer-none').waitFor();
    expect(await page.getByTestId('summary-drift-invoice').textContent()).toBe('—');

    // Made in Stripe's dashboard without an event, for a customer only Stripe has: drift for both catalogs.
    const admin = async (p: string, body: unknown) => ((await (await fetch(`${urlOf('emulator')}/_emulator${p}`, { method: 'POST', body: JSON.stringify(body) })).json()) as { id: string }).id;
    const stranger = await admin('/dashboard/customers?silent=true', { name: 'Walk-in', email: 'walk-in@console.test' });
    const made = await admin('/dashboard/invoices?silent=true', { customer: stranger, currency: 'eur', lines: [{ description: 'Repair', unit_amount: 12000 }], finalize: true });
    const invoices = await runCli<Report>(['reconcile', '--catalog', 'invoice']);
    expect(invoices.code).toBe(3);
    expect(invoices.json.drift_count).toBeGreaterThanOrEqual(1);
    const customers = await runCli<Report>(['reconcile']);
    expect(customers.code).toBe(3); // Walk-in is Stripe's only

    // The section refreshes every 15 s.
    await textOf('the invoices’ drift count', page.getByTestId('reconcile-invoice-drift-count'), (t) => t === String(invoices.json.drift_count), 45_000);
    const invoiceBlock = page.getByTestId('reconcile-invoice');
    expect(await page.getByTestId('reconcile-invoice-system').textContent()).toBe('stripe');
    // Shown as the browser's local time (of day, when it was today).
    const finished = await page.evaluate((iso) => [new Date(iso).toLocaleTimeString(), new Date(iso).toLocaleString()], invoices.json.finished_at);
    expect(finished).toContain(await page.getByTestId('reconcile-invoice-finished').textContent());
    expect(await page.getByTestId('reconcile-invoice-kind-missing_internally').textContent()).toBe('missing_internally1');
    expect(await invoiceBlock.locator('tr', { hasText: made }).textContent()).toMatch(/missing_internally.*open .*120[.,]00/);
    await textOf('the customers’ drift count', page.getByTestId('reconcile-customer-drift-count'), (t) => t === String(customers.json.drift_count));
    expect(await page.getByTestId('reconcile-customer-system').textContent()).toBe('stripe');
    expect(await page.getByTestId('reconcile-customer').locator('tr', { hasText: stranger }).textContent()).toContain('Walk-in <walk-in@console.test>');

    // The live counts: one tile per catalog.
    await textOf('the invoices’ drift tile', page.getByTestId('summary-drift-invoice'), (t) => t === String(invoices.json.drift_count));
    expect(await page.getByTestId('summary-drift-invoice-detail').textContent()).toContain('stripe');
    await textOf('the customers’ drift tile', page.getByTestId('summary-drift-customer'), (t) => t === String(customers.json.drift_count));
    expect(pageErrors).toEqual([]);
    expect(await page.getByTestId('console-error').isVisible()).toBe(false);
  }, 90_000);

  it('charts the sync analytics: syncs per bucket, time-to-sync percentiles, errors by code', async () => {
    // The real attempts above (a failure, a park, the replayed success with its time-to-sync), and a
    // day of earlier history so the charts have a shape.
    const [real] = await query<{ p50: number | null }>(
      `select percentile_cont(0.5) within group (order by extract(epoch from processed_at - source_at)) as p50 from sync_events where status = 'success' and direction = 'outbound'`,
    );
    expect(real!.p50).not.toBeNull();
    await query(
      `insert into sync_events (event_id, event_type, entity_type, entity_id, external_system, status, payload, created_at, processed_at, direction, source_at)
       select gen_random_uuid(), 'customer.updated', 'customer', 1, 'stripe',
              case when i % 17 = 0 then 'retrying' when i % 29 = 0 then 'failed' else 'success' end,
              case when i % 17 = 0 then '{"code":"rate_limited"}' when i % 29 = 0 then '{"code":"card_declined"}' else '{}' end::jsonb,
              now() - make_interval(mins => i), now() - make_interval(mins => i), case when (i / 3) % 3 = 0 then 'inbound' else 'outbound' end,
              now() - make_interval(mins => i) - make_interval(secs => 0.2 + (i % 10) * 0.15)
         from generate_series(1, 1200, 3) as i`,
    );
    await page.getByTestId('analytics-window').selectOption('24');
    for (const chart of ['analytics-chart-syncs', 'analytics-chart-tts', 'analytics-chart-errors']) {
      const canvas = page.getByTestId(chart).locator('canvas');
      await canvas.waitFor({ timeout: 20_000 });
      // Drawn: the canvas has a size and pixels that are not blank.
      const painted = await waitFor(`${chart} painted`, async () => {
        const n = await canvas.evaluate((node) => {
          const c = node as unknown as PaintedCanvas;
          const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let opaque = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) opaque++;
          return c.width > 0 && c.height > 0 ? opaque : 0;
        });
        return n > 100 ? n : undefined;
      }, 20_000, 200);
      expect(painted).toBeGreaterThan(100);
    }
    await textOf('the syncs counted', page.getByTestId('analytics-syncs'), (t) => Number(t) >= 400);
    await textOf('the success rate', page.getByTestId('analytics-success-rate'), (t) => /^\d+\.\d %$/.test(t));
    await textOf('outbound time-to-sync', page.getByTestId('analytics-tts-outbound'), (t) => /\d+ ms/.test(t));
    // The legend names what is drawn: the stacked outcomes, the three percentiles, the error codes.
    expect(await page.getByTestId('analytics-chart-syncs').locator('.u-legend').textContent()).toMatch(/failed.*success/);
    expect(await page.getByTestId('analytics-chart-tts').locator('.u-legend').textContent()).toMatch(/p50.*p95.*p99/);
    await page.getByTestId('analytics').scrollIntoViewIfNeeded();
    await page.locator('section[aria-labelledby="analytics-title"]').screenshot({ path: ANALYTICS_SCREENSHOT });
    expect(pageErrors).toEqual([]);
    expect(await page.getByTestId('console-error').isVisible()).toBe(false);
  }, 60_000);

  it('shows Stripe’s circuit open while Stripe is down (the change waits, nothing parks) and closed once it is back', async () => {
    await textOf('the Stripe circuit closed', page.getByTestId('circuit-stripe-state'), (t) => t === 'closed');
    await emulator.faults({ outage: true });
    const created = await api<{ id: number }>('POST', '/api/v1/customers', { name: 'Olive Outage', email: 'olive@x.io' }, AUTH);
    const id = created.body.id;
    // Open, or half-open for the moment its probe takes: either way, Stripe is not called.
    await textOf('the Stripe circuit open', page.getByTestId('circuit-stripe-state'), (t) => t === 'open' || t === 'half-open');
    expect(await page.getByTestId('circuit-stripe-detail').textContent()).toMatch(/failures in a row · last: api_error \(503\)/);
    expect(await page.getByTestId('circuit-stripe').getAttribute('class')).toContain('alert');

    await emulator.faults({ outage: false });
    await textOf('the Stripe circuit closed again', page.getByTestId('circuit-stripe-state'), (t) => t === 'closed');
    // Its latest attempt: the create, or (with the inbound worker of the invoice test running) the echo of it after.
    await textOf('the waiting customer synced', page.getByTestId(`customer-${id}-stripe-status`), (t) => t === 'success' || t === 'skipped', 30_000);
    expect(await query(`select status from sync_events where entity_type = 'customer' and entity_id = $1 and direction = 'outbound' and external_system = 'stripe' and status = 'success'`, [id])).toHaveLength(1);
    expect(await query(`select id from dead_letters where message_key = $1`, [String(id)])).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
