import request from 'supertest';
import { testApp } from './test-app';

const KEY = 'console-key-0123456789abcdef';
let ctx: Awaited<ReturnType<typeof testApp>>;
beforeAll(async () => {
  ctx = await testApp({ apiKeys: [KEY] });
});
afterAll(() => ctx.close());

describe('the sync console', () => {
  it('serves its page and scripts without a key (they hold no data), locked down by a content security policy', async () => {
    const page = await request(ctx.app).get('/console/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('data-testid="api-key-input"');
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    for (const file of ['console.js', 'console.css', 'js/api.js', 'js/dead-letters.js']) {
      const res = await request(ctx.app).get(`/console/${file}`);
      expect(res.status).toBe(200);
    }
    expect((await request(ctx.app).get('/console/console.js')).headers['content-type']).toMatch(/javascript/);
  });

  it('serves the chart library from its installed package, and only its two files', async () => {
    const js = await request(ctx.app).get('/console/vendor/uPlot.esm.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.text).toContain('export { uPlot as default }');
    expect(js.headers['content-security-policy']).toContain("script-src 'self'");
    const css = await request(ctx.app).get('/console/vendor/uPlot.min.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    for (const other of ['uPlot.cjs.js', '__proto__', '..%2Fpackage.json', 'constructor']) expect((await request(ctx.app).get(`/console/vendor/${other}`)).status).toBe(404);
  });

  it('redirects /console to /console/ so the page’s relative links resolve', async () => {
    const res = await request(ctx.app).get('/console');
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('/console/');
  });

  it('loads nothing from outside (the machines have no internet)', async () => {
    for (const file of ['', 'console.js', 'console.css', 'js/api.js', 'js/dom.js', 'js/summary.js', 'js/circuits.js', 'js/customers.js', 'js/invoices.js', 'js/events.js', 'js/dead-letters.js', 'js/reconcile.js', 'js/analytics.js', 'js/charts.js']) {
      const res = await request(ctx.app).get(`/console/${file}`);
      expect(res.status).toBe(200);
      expect(res.text).not.toMatch(/https?:\/\//);
    }
  });

  it('does not open the data: every API call from the page still needs the key', async () => {
    expect((await request(ctx.app).get('/api/v1/sync/summary')).status).toBe(401);
    const sneaky = await request(ctx.app).get('/console/../api/v1/sync/summary');
    expect([401, 403, 404]).toContain(sneaky.status);
    expect(sneaky.body).not.toHaveProperty('customers');
    expect((await request(ctx.app).get('/console/missing.js')).status).toBe(404);
  });
});
