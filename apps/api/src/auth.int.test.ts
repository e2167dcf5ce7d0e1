import request from 'supertest';
import { resetDatabase } from '../../../test/support/db';
import { testApp } from './test-app';

const KEY = 'test-key-0123456789abcdef';
let ctx: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  ctx = await testApp({ apiKeys: ['another-key-0123456789', KEY] });
});
afterAll(() => ctx.close());
beforeEach(() => resetDatabase());

describe('bearer auth', () => {
  const routes: Array<[string, string]> = [
    ['get', '/api/v1/customers'],
    ['get', '/api/v1/customers/1'],
    ['post', '/api/v1/customers'],
    ['put', '/api/v1/customers/1'],
    ['patch', '/api/v1/customers/1'],
    ['delete', '/api/v1/customers/1'],
    ['get', '/api/v1/anything-else'],
  ];

  it.each(routes)('%s %s without a key → 401', async (method, path) => {
    const res = await (request(ctx.app) as unknown as Record<string, (p: string) => request.Test>)[method]!(path).send({ name: 'A', email: 'a@x.io' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'unauthorized', message: 'missing or invalid API key' } });
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it.each([['Bearer wrong-key-0123456789abc'], [`Basic ${Buffer.from('a:b').toString('base64')}`], ['Bearer'], [`Bearer ${KEY}x`], [KEY]])(
    'refuses Authorization: %s',
    async (header) => {
      const res = await request(ctx.app).get('/api/v1/customers').set('Authorization', header);
      expect(res.status).toBe(401);
    },
  );

  it('accepts any configured key, and a refused write changes nothing', async () => {
    expect((await request(ctx.app).post('/api/v1/customers').send({ name: 'A', email: 'a@x.io' })).status).toBe(401);
    const ok = await request(ctx.app).get('/api/v1/customers').set('Authorization', `Bearer ${KEY}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual([]);
    expect((await request(ctx.app).get('/api/v1/customers').set('Authorization', 'bearer another-key-0123456789')).status).toBe(200);
  });

  it('leaves health and the API description open', async () => {
    expect((await request(ctx.app).get('/health')).status).toBe(200);
    expect((await request(ctx.app).get('/health/ready')).status).toBe(200);
    expect((await request(ctx.app).get('/api/v1/openapi.json')).status).toBe(200);
    expect((await request(ctx.app).get('/docs/')).status).toBe(200);
  });
});
