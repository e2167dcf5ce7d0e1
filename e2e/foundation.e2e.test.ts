/**
 * Every app starts for real against the local Postgres, Kafka and the Stripe emulator, reports
 * each dependency by name on /health/ready, and stops in order on SIGTERM within 10 s.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, startApp, startEmulator, startProcess, stop, urlOf, waitReady, type AppName, type Proc } from './support/stack';

const apps: AppName[] = ['api', 'webhook-gateway', 'outbound-worker', 'inbound-worker'];

describe('the four apps', () => {
  let emulator: Proc;
  const running: Proc[] = [];

  beforeAll(async () => {
    emulator = startEmulator();
    await waitReady('emulator', '/_emulator/health');
  });
  afterAll(async () => {
    await Promise.all([...running, emulator].map((p) => stop(p)));
  });

  it('become ready, name every dependency, and shut down cleanly within 10 s', async () => {
    running.push(...apps.map((a) => startApp(a)));
    const reports = (await Promise.all(apps.map((a) => waitReady(a)))) as Array<{ status: string; checks: Record<string, string> }>;
    expect(reports.map((r) => r.status)).toEqual(['healthy', 'healthy', 'healthy', 'healthy']);
    expect(reports[0]!.checks).toEqual({ database: 'connected', kafka: 'connected', stripe: 'authenticated' });
    expect(reports[1]!.checks).toEqual({ kafka: 'connected' });
    // The workers also show each system's circuit breaker (advisory: docs/operations.md).
    expect(reports[2]!.checks).toEqual({ database: 'connected', kafka: 'connected', stripe: 'authenticated', stripe_circuit: 'closed' });
    expect(reports[3]!.checks).toEqual({ database: 'connected', kafka: 'connected', stripe: 'authenticated', stripe_circuit: 'closed' });

    const live = await fetch(urlOf('api') + '/health');
    expect(live.status).toBe(200);
    expect(live.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    // Every app runs on the Node.js the project pins, whatever Node the machine has.
    const pinned = `v${fs.readFileSync(path.join(ROOT, '.node-version'), 'utf8').trim()}`;
    const nodes = await Promise.all(apps.map(async (a) => ((await (await fetch(urlOf(a) + '/health')).json()) as { node: string }).node));
    expect(nodes).toEqual(apps.map(() => pinned));

    const started = Date.now();
    const results = await Promise.all(running.map((p) => stop(p, 15_000)));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    for (const p of running) expect(p.output.join('\n')).toContain('stopped');
  }, 60_000);

  it('report a dependency that is down by name, with 503', async () => {
    const worker = startApp('outbound-worker', { STRIPE_API_BASE: 'http://127.0.0.1:9' });
    running.push(worker);
    const body = await (async () => {
      for (let i = 0; i < 100; i++) {
        const res = await fetch(urlOf('outbound-worker') + '/health/ready').catch(() => undefined);
        if (res) return { status: res.status, json: (await res.json()) as { checks: Record<string, string> } };
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('worker never answered');
    })();
    expect(body.status).toBe(503);
    expect(body.json.checks.database).toBe('connected');
    expect(body.json.checks.stripe).toMatch(/^error: /);
    await stop(worker);
  }, 30_000);

  it("show Stripe on the API's readiness without letting an outage there take the catalog down", async () => {
    const api = startApp('api', { STRIPE_API_BASE: 'http://127.0.0.1:9' });
    running.push(api);
    const report = (await waitReady('api')) as { status: string; checks: Record<string, string> };
    expect(report.status).toBe('healthy');
    expect(report.checks).toMatchObject({ database: 'connected', kafka: 'connected', stripe: expect.stringMatching(/^error: /) });
    await stop(api);

    const unconfigured = startApp('api', { STRIPE_SECRET_KEY: '' });
    running.push(unconfigured);
    const plain = (await waitReady('api')) as { checks: Record<string, string> };
    expect(plain.checks.stripe).toMatch(/^not configured/);
    await stop(unconfigured);
  }, 60_000);

  it('refuse to start with a bad environment, naming each variable on one line', async () => {
    const proc = startProcess('api', 'apps/api/dist/index.js', [], { DATABASE_URL: 'mysql://nope', KAFKA_BROKERS: '', API_PORT: 'x' });
    const { code } = await proc.exited;
    expect(code).toBe(78);
    const lines = proc.output.filter((l) => l.startsWith('invalid environment:'));
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^invalid environment: DATABASE_URL: /),
        'invalid environment: KAFKA_BROKERS: required but not set',
        expect.stringMatching(/^invalid environment: API_PORT: /),
      ]),
    );
    expect(lines).toHaveLength(3);
  });
});
