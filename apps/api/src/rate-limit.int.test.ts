import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { initMetrics } from '@cs/platform';
import { query, resetDatabase } from '../../../test/support/db';
import { testApp } from './test-app';

const ADA = { name: 'ada', token: 'ada-token-0123456789' };
const BOB = { name: 'bob', token: 'bob-token-0123456789' };
const as = (key: { token: string }) => ({ Authorization: `Bearer ${key.token}` });

/** A clock the test moves: buckets refill when the test says so, not when a loaded machine gets round to it. */
let now = Date.parse('2026-12-05T00:00:00Z');
const advance = (ms: number) => void (now += ms);
const clock = () => now;

let keyed: Awaited<ReturnType<typeof testApp>>;
let open: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  initMetrics({ service: 'api', enabled: true });
  keyed = await testApp({ apiKeys: [ADA, BOB], rateLimit: { perSecond: 2, burst: 3, now: clock } });
  open = await testApp({ rateLimit: { perSecond: 0.25, burst: 2, now: clock } });
});
afterAll(async () => {
  await keyed.close();
  await open.close();
});
beforeEach(async () => {
  await resetDatabase();
  advance(600_000); // every bucket full again
});

const list = (key: { token: string }) => request(keyed.app).get('/api/v1/customers').set(as(key));

/** The value of a counter's series on /metrics (0 before its first increment). */
async function throttled(key: string): Promise<number> {
  const text = (await request(keyed.app).get('/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith('api_requests_throttled_total{') && l.includes(`key="${key}"`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** GET from a chosen loopback address, to be another client of an open API. */
function getFrom(localAddress: string, port: number, path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, localAddress }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
      })
      .on('error', reject);
  });
}

describe('the per-key rate limit', () => {
  it('answers 429 past the burst, in the usual error shape with Retry-After, counts it, and changes nothing', async () => {
    const before = await throttled('ada');
    for (const remaining of [2, 1, 0]) {
      const ok = await list(ADA);
      expect(ok.status).toBe(200);
      expect(ok.headers).toMatchObject({ 'ratelimit-limit': '3', 'ratelimit-remaining': String(remaining) });
    }
    const refused = await request(keyed.app).post('/api/v1/customers').set(as(ADA)).send({ name: 'Ada', email: 'ada@x.io' });
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      error: { code: 'rate_limited', message: 'too many requests for API key "ada"; retry after 1 s', details: { retry_after_seconds: 1 } },
    });
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers).toMatchObject({ 'ratelimit-remaining': '0', 'ratelimit-reset': '2' });
    expect(await query('select id from customers')).toEqual([]);
    expect(await query('select id from outbox')).toEqual([]);
    expect(await throttled('ada')).toBe(before + 1);
  });

  it('gives Retry-After in whole seconds, at least 1, counting down as the bucket refills', async () => {
    // The open app: 0.25 per second, so the next token is 4 s away once the burst is spent.
    for (let i = 0; i < 2; i++) expect((await request(open.app).get('/api/v1/customers')).status).toBe(200);
    expect((await request(open.app).get('/api/v1/customers')).headers['retry-after']).toBe('4');
    advance(1_500);
    expect((await request(open.app).get('/api/v1/customers')).headers['retry-after']).toBe('3');
    advance(2_490);
    expect((await request(open.app).get('/api/v1/customers')).headers['retry-after']).toBe('1');
    advance(10);
    expect((await request(open.app).get('/api/v1/customers')).status).toBe(200);
  });

  it('keeps one bucket per key: a key that spent its own leaves the others untouched', async () => {
    for (let i = 0; i < 3; i++) await list(ADA);
    expect((await list(ADA)).status).toBe(429);
    for (let i = 0; i < 3; i++) expect((await list(BOB)).status).toBe(200);
    expect((await list(BOB)).status).toBe(429);
    // A request without a valid key is refused as such, before any bucket.
    expect((await request(keyed.app).get('/api/v1/customers').set('Authorization', 'Bearer wrong-token-0123456789')).status).toBe(401);
  });

  it('refills at the rate, up to the burst and no further', async () => {
    for (let i = 0; i < 3; i++) await list(ADA);
    expect((await list(ADA)).status).toBe(429);
    advance(490);
    expect((await list(ADA)).status).toBe(429);
    advance(10);
    expect((await list(ADA)).status).toBe(200);
    expect((await list(ADA)).status).toBe(429);
    advance(3_600_000);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await list(ADA)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('never throttles health, metrics, the API description or the console', async () => {
    for (let i = 0; i < 4; i++) await list(ADA);
    for (const app of [keyed.app, open.app]) {
      for (let i = 0; i < 3; i++) await request(app).get('/api/v1/customers');
      for (const path of ['/health', '/health/ready', '/metrics', '/api/v1/openapi.json', '/console/']) {
        for (let i = 0; i < 5; i++) {
          const res = await request(app).get(path);
          expect({ path, status: res.status }).toEqual({ path, status: 200 });
          expect(res.headers['ratelimit-limit']).toBeUndefined();
        }
      }
    }
  });

  it('throttles an open API per client address', async () => {
    const server = open.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const before = await throttled('anonymous');
      expect((await getFrom('127.0.0.1', port, '/api/v1/customers')).status).toBe(200);
      expect((await getFrom('127.0.0.1', port, '/api/v1/customers')).status).toBe(200);
      expect(await getFrom('127.0.0.1', port, '/api/v1/customers')).toEqual({
        status: 429,
        body: { error: { code: 'rate_limited', message: 'too many requests from this address; retry after 4 s', details: { retry_after_seconds: 4 } } },
      });
      // Another address has its own bucket.
      expect((await getFrom('127.0.0.2', port, '/api/v1/customers')).status).toBe(200);
      // Addresses are not a bounded label set: every one counts as "anonymous".
      expect(await throttled('anonymous')).toBe(before + 1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
