import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExternalCall } from '../types';
import { operationOf } from './call-hook';
import { StripeIntegration } from './stripe-integration';

/** Just enough of Stripe's wire behaviour: a customer for GET, a 429 for POST. */
function fakeStripe(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Request-Id', 'req_test');
    if (req.method === 'POST') {
      res.statusCode = 429;
      res.end(JSON.stringify({ error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests' } }));
      return;
    }
    res.end(JSON.stringify({ id: 'cus_abc123', object: 'customer', name: 'Ada', email: 'ada@x.io', created: 1, metadata: {} }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('StripeConfig.onCall', () => {
  let server: http.Server;
  beforeAll(async () => {
    server = await fakeStripe();
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('reports each HTTP answer with a bounded operation name, its status and elapsed time', async () => {
    const calls: ExternalCall[] = [];
    const { port } = server.address() as AddressInfo;
    const stripe = new StripeIntegration({ secretKey: 'sk_test_x', apiBase: `http://127.0.0.1:${port}`, onCall: (c) => calls.push(c) });

    await stripe.catalogs.customer.get('cus_abc123');
    await expect(stripe.catalogs.customer.update('cus_abc123', { name: 'A', email: 'a@x.io' }, { idempotencyKey: 'k1' })).rejects.toThrow();

    expect(calls).toEqual([
      { system: 'stripe', method: 'GET /v1/customers/{id}', status: 200, elapsedMs: expect.any(Number) },
      { system: 'stripe', method: 'POST /v1/customers/{id}', status: 429, elapsedMs: expect.any(Number) },
    ]);
  });

  it('a hook that throws does not break the call', async () => {
    const { port } = server.address() as AddressInfo;
    const stripe = new StripeIntegration({
      secretKey: 'sk_test_x',
      apiBase: `http://127.0.0.1:${port}`,
      onCall: () => {
        throw new Error('metrics broke');
      },
    });
    await expect(stripe.catalogs.customer.get('cus_abc123')).resolves.toMatchObject({ externalId: 'cus_abc123' });
  });

  it.each([
    ['GET', '/v1/customers/search?query=x', 'GET /v1/customers/search'],
    ['delete', '/v1/customers/cus_Q1w2E3', 'DELETE /v1/customers/{id}'],
    ['GET', '/v1/events', 'GET /v1/events'],
  ])('%s %s → %s', (method, path, op) => {
    expect(operationOf(method, path)).toBe(op);
  });
});
