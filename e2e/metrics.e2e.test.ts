/**
 * Issue "Operations": every app serves GET /metrics (open, like /health) in the Prometheus text
 * format, and real traffic — API creates, a change made in Stripe's dashboard — moves the
 * request, sync, outbox, webhook and Stripe-call metrics. Consumer lag is reported per group.
 */
import { seriesNames } from '@cs/platform';
import { query, resetDatabase } from '../test/support/db';
import { api } from './support/api';
import { emulator } from './support/emulator';
import { scrape, type Scrape } from './support/prometheus';
import { appEnv, isolateTopics, startApp, startEmulator, stop, urlOf, waitFor, waitReady, WEBHOOK_SECRET, type AppName, type Proc } from './support/stack';

const APPS: AppName[] = ['api', 'webhook-gateway', 'outbound-worker', 'inbound-worker'];
const API_KEY = 'e2e-metrics-key-0123456789';
const auth = { Authorization: `Bearer ${API_KEY}` };
const procs: Proc[] = [];

beforeAll(async () => {
  await resetDatabase();
  await isolateTopics('metrics');
  procs.push(startEmulator());
  await waitReady('emulator', '/_emulator/health');
  await emulator.addWebhook(`${urlOf('webhook-gateway')}/api/v1/webhooks/stripe`, WEBHOOK_SECRET);
  const env = { OUTBOUND_RETRY_BASE_MS: '100', INBOUND_RETRY_BASE_MS: '100', STRIPE_WRITE_RATE: '500' };
  for (const app of APPS) procs.push(startApp(app, app === 'api' ? { ...env, API_KEYS: API_KEY } : env));
  // Four apps starting at once on a small machine: give them longer than one app needs.
  await Promise.all(APPS.map((a) => waitReady(a, '/health/ready', 60_000)));
}, 90_000);
afterAll(async () => {
  await Promise.all(procs.map((p) => stop(p)));
});

const scrapeAll = async () => Object.fromEntries(await Promise.all(APPS.map(async (a) => [a, await scrape(a)] as const))) as Record<AppName, Scrape>;

describe('GET /metrics', () => {
  it('is served by every app, without an API key, with the service label and the default Node metrics', async () => {
    expect((await fetch(`${urlOf('api')}/api/v1/customers`)).status).toBe(401); // the API itself is closed
    // A worker answers /health before its consumers have joined; its gauges start right after,
    // and those that need a query appear with their first refresh.
    const all = await waitFor('every gauge after its first refresh', async () => {
      const now = await scrapeAll();
      const ready = now.api.select('dead_letters_parked').length > 0 && now.api.select('outbox_backlog').length > 0 && now['inbound-worker'].select('db_pool_max').length > 0;
      return ready && now['outbound-worker'].select('db_pool_max').length > 0 ? now : undefined;
    }, 20_000);
    for (const app of APPS) {
      expect(all[app].select('process_resident_memory_bytes', { service: app })).toHaveLength(1);
    }
    // Apps with a database report their pool; the gateway has none.
    for (const app of ['api', 'outbound-worker', 'inbound-worker'] as const) expect(all[app].sum('db_pool_max')).toBeGreaterThan(0);
    expect(all['webhook-gateway'].select('db_pool_max')).toHaveLength(0);
    expect(all.api.select('dead_letters_parked')).toHaveLength(1);
    expect(all.api.select('outbox_backlog')).toHaveLength(1);
    // Nothing is registered outside the catalog that docs/metrics.md and the alerts are checked against.
    const catalog = new Set(seriesNames());
    const stray = APPS.flatMap((app) => all[app].samples.map((s) => s.name)).filter((n) => !catalog.has(n) && !/^(process|nodejs)_/.test(n));
    expect([...new Set(stray)]).toEqual([]);
  });

  it('moves with traffic: requests, sync outcomes and latency, outbox, webhooks, Stripe calls; lag per consumer group', async () => {
    const before = await scrapeAll();

    const created = await Promise.all(
      ['Metric One', 'Metric Two'].map(async (name, i) => (await api<{ id: number }>('POST', '/api/v1/customers', { name, email: `metric${i}@x.io` }, auth)).body),
    );
    await waitFor('both pushed to Stripe', async () => {
      const rows = await query(`select 1 from external_mappings where internal_id = any($1::int[])`, [created.map((c) => c.id)]);
      return rows.length === 2 ? true : undefined;
    }, 30_000, 200);
    await emulator.dashboard.create({ name: 'Made In Stripe', email: 'dashboard-metric@x.io' });
    await waitFor('the dashboard customer here', async () => {
      const rows = await query(`select 1 from customers where email = 'dashboard-metric@x.io'`);
      return rows.length === 1 ? true : undefined;
    }, 30_000, 200);

    // Counters move when the work is done; give the last scrape a moment to see every increment.
    const after = await waitFor('metrics to reflect the traffic', async () => {
      const now = await scrapeAll();
      const moved = (app: AppName, name: string, labels: Record<string, string> = {}) => now[app].sum(name, labels) - before[app].sum(name, labels);
      return moved('outbound-worker', 'sync_messages_total', { direction: 'outbound', outcome: 'success' }) >= 2 &&
        moved('inbound-worker', 'sync_latency_seconds_count', { direction: 'inbound' }) >= 1
        ? now
        : undefined;
    }, 20_000, 500);
    const delta = (app: AppName, name: string, labels: Record<string, string> = {}) => after[app].sum(name, labels) - before[app].sum(name, labels);

    expect(delta('api', 'http_request_duration_seconds_count', { method: 'POST', route: '/api/v1/customers', status: '201' })).toBe(2);
    expect(after.api.select('http_request_duration_seconds_bucket', { route: '/api/v1/customers', le: '+Inf' }).length).toBeGreaterThan(0);
    expect(after.api.samples.some((s) => /\/api\/v1\/customers\/\d/.test(s.labels.route ?? ''))).toBe(false);
    expect(delta('api', 'outbox_published_total')).toBeGreaterThanOrEqual(3); // two creates + the dashboard customer's row

    expect(delta('outbound-worker', 'sync_messages_total', { direction: 'outbound', system: 'stripe', outcome: 'success' })).toBeGreaterThanOrEqual(2);
    expect(delta('outbound-worker', 'sync_latency_seconds_count', { direction: 'outbound', system: 'stripe' })).toBeGreaterThanOrEqual(2);
    expect(delta('outbound-worker', 'external_call_duration_seconds_count', { system: 'stripe', method: 'POST /v1/customers', status: '200' })).toBeGreaterThanOrEqual(2);

    expect(delta('inbound-worker', 'sync_messages_total', { direction: 'inbound', system: 'stripe', outcome: 'success' })).toBeGreaterThanOrEqual(1);
    expect(delta('inbound-worker', 'sync_latency_seconds_count', { direction: 'inbound', system: 'stripe' })).toBeGreaterThanOrEqual(1);

    // The dashboard create, and the echoes of our two creates.
    expect(delta('webhook-gateway', 'webhook_events_total', { system: 'stripe', outcome: 'published' })).toBeGreaterThanOrEqual(3);
    // The webhook route is a plain Node handler (not Express): it keeps the request histogram, by route pattern.
    expect(delta('webhook-gateway', 'http_request_duration_seconds_count', { method: 'POST', route: '/api/v1/webhooks/:system', status: '200' })).toBeGreaterThanOrEqual(3);

    const clientId = appEnv().KAFKA_CLIENT_ID; // the prefix of the workers' consumer group ids
    expect(after['outbound-worker'].select('kafka_consumer_lag', { group: `${clientId}-outbound-stripe` }).length).toBeGreaterThan(0);
    expect(after['inbound-worker'].select('kafka_consumer_lag', { group: `${clientId}-inbound` }).length).toBeGreaterThan(0);
  }, 90_000);
});
