import request from 'supertest';
import { createHttpApp, finishHttpApp } from './http';
import { createLogger } from './logger';
import { observeDbPool, recordExternalCall } from './metric-catalog';
import { initMetrics } from './metrics';
import { countSync, failureReason, parkReason } from './sync-metrics';

const logger = createLogger({ name: 'metrics-test', level: 'silent' });

function app() {
  const a = createHttpApp(logger);
  a.get('/api/v1/customers/:id', (_req, res) => {
    res.json({ ok: true });
  });
  a.get('/boom', () => {
    throw new Error('boom');
  });
  finishHttpApp(a, logger);
  return a;
}

/** The value of one series of a scrape, e.g. `sample(text, 'x_count', { route: '/a' })`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_:][\w:]*)(?:\{(.*)\})? (\S+)$/i.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('metrics when on', () => {
  beforeAll(() => initMetrics({ service: 'test-svc', enabled: true }));

  it('labels requests with the matched route pattern, never the URL, and serves the text format', async () => {
    const a = app();
    await request(a).get('/api/v1/customers/41');
    await request(a).get('/api/v1/customers/42?x=1');
    await request(a).get('/no/such/path/123');
    await request(a).get('/boom');
    await request(a).get('/health');

    const res = await request(a).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.text;
    expect(sample(text, 'http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/customers/:id', status: '200', service: 'test-svc' })).toBe(2);
    expect(sample(text, 'http_request_duration_seconds_count', { route: 'unmatched', status: '404' })).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_count', { route: '/boom', status: '500' })).toBe(1);
    expect(text).not.toMatch(/customers\/4[12]|no\/such/);
    expect(text).not.toMatch(/route="\/health"/);
    // Default Node metrics carry the service label too.
    expect(text).toMatch(/^process_cpu_user_seconds_total\{service="test-svc"\} /m);
  });

  it('records sync outcomes with a bounded reason, external calls and the pool gauges', async () => {
    countSync('outbound', 'stripe', 'skipped', 'echo');
    countSync('outbound', 'stripe', 'skipped', 'made up reason' as never);
    countSync('inbound', 'stripe', 'success', 'none', 'invoice');
    countSync('inbound', 'stripe', 'success', 'none', 'made up catalog');
    recordExternalCall({ system: 'stripe', method: 'POST /v1/customers', status: 429, elapsedMs: 120 });
    recordExternalCall({ system: 'salesforce', method: 'GET /limits', status: 200, elapsedMs: 30, quota: { used: 450, max: 1000 } });
    observeDbPool(() => ({ inUse: 3, waiting: 1, max: 10 }));
    const text = (await request(app()).get('/metrics')).text;
    expect(sample(text, 'sync_messages_total', { direction: 'outbound', outcome: 'skipped', reason: 'echo' })).toBe(1);
    expect(sample(text, 'sync_messages_total', { direction: 'outbound', outcome: 'skipped', reason: 'other', catalog: 'customer' })).toBe(1);
    expect(sample(text, 'sync_messages_total', { direction: 'inbound', outcome: 'success', catalog: 'invoice' })).toBe(1);
    expect(sample(text, 'sync_messages_total', { direction: 'inbound', outcome: 'success', catalog: 'other' })).toBe(1);
    expect(sample(text, 'external_call_duration_seconds_count', { system: 'stripe', method: 'POST /v1/customers', status: '429' })).toBe(1);
    expect(sample(text, 'external_rate_limited_total', { system: 'stripe' })).toBe(1);
    expect(sample(text, 'external_api_quota_used_ratio', { system: 'salesforce' })).toBe(0.45);
    expect(sample(text, 'db_pool_in_use', {})).toBe(3);
    expect(sample(text, 'db_pool_waiting', {})).toBe(1);
    expect(sample(text, 'db_pool_max', {})).toBe(10);
  });
});

describe('metrics when off (METRICS=false)', () => {
  it('serves no /metrics', async () => {
    initMetrics({ service: 'test-svc', enabled: false });
    expect((await request(app()).get('/metrics')).status).toBe(404);
  });
});

describe('failure reasons', () => {
  it.each([
    [{ retryable: true, code: 'rate_limit', status: 429 }, 'rate_limited'],
    [{ retryable: true, code: 'api_error', status: 503 }, 'server_error'],
    [{ retryable: true, code: 'lock_timeout', status: 409 }, 'lock_conflict'],
    [{ retryable: true, code: 'network_error' }, 'network'],
    [{ retryable: false, code: 'email_invalid', status: 400 }, 'permanent'],
  ] as const)('%j → %s', (failure, reason) => {
    expect(failureReason(failure)).toBe(reason);
  });

  it('parks as exhausted after retryable failures, invalid_message without a failure', () => {
    expect(parkReason({ retryable: true, code: 'api_error', status: 500 })).toBe('exhausted');
    expect(parkReason({ retryable: false, code: 'email_invalid', status: 400 })).toBe('permanent');
    expect(parkReason(undefined)).toBe('invalid_message');
  });
});
