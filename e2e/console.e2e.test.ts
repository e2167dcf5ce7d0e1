/**
 * Issue "Operations": the sync console, in a real headless Chromium, against the real API (with
 * API keys), Kafka, Postgres, outbound worker and the Stripe emulator. A change Stripe refuses is
 * parked; the operator sees it with its error, fixes the cause, clicks Replay, and sees the
 * customer synced. Needs /usr/bin/chromium (scripts/chromium.sh install).
 */
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { query, resetDatabase } from '../test/support/db';
import { api } from './support/api';
import { emulator } from './support/emulator';
import { isolateTopics, ROOT, startApp, startEmulator, stop, urlOf, waitFor, waitReady, type Proc } from './support/stack';

const KEY = 'console-e2e-key-0123456789abcdef';
const AUTH = { Authorization: `Bearer ${KEY}` };
const SCREENSHOT = path.join(ROOT, 'docs', 'console.png');

let emu: Proc;
let apiProc: Proc;
let worker: Proc;
let browser: Browser;

beforeAll(async () => {
  await resetDatabase();
  await isolateTopics('console');
  emu = startEmulator();
  await waitReady('emulator', '/_emulator/health');
  apiProc = startApp('api', { API_KEYS: KEY });
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
  await Promise.all([worker, apiProc, emu].filter(Boolean).map((p) => stop(p)));
});

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
    await textOf('the waiting customer synced', page.getByTestId(`customer-${id}-stripe-status`), (t) => t === 'success', 30_000);
    expect(await query(`select id from dead_letters where message_key = $1`, [String(id)])).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
