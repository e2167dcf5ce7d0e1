import type { Connection } from 'jsforce';
import type { FaultSettings, RunningEmulator, StatsSnapshot } from './index';
import { admin, login, rejectionOf, rest, startTestEmulator } from './test/helpers';

let emulator: RunningEmulator;
let conn: Connection;
let token: string;

beforeAll(async () => {
  emulator = await startTestEmulator({ dailyQuota: 5 });
  conn = await login(emulator);
  token = conn.accessToken ?? '';
});
afterAll(() => emulator.close());
beforeEach(() => emulator.state.reset({ faults: true }));

const setFaults = async (patch: Partial<FaultSettings>): Promise<void> => {
  expect((await admin(emulator, 'POST', '/faults', patch)).status).toBe(200);
};

describe('daily API quota', () => {
  it('counts every call in Sforce-Limit-Info, and refuses calls once exhausted', async () => {
    const first = await rest(emulator, token, 'GET', 'limits');
    expect(first.headers.get('sforce-limit-info')).toBe('api-usage=1/5');
    expect(first.body).toEqual({ DailyApiRequests: { Max: 5, Remaining: 4 } });
    await conn.sobject('Account').create({ Name: 'counted' });
    expect(conn.limitInfo).toEqual({ apiUsage: { used: 2, limit: 5 } });
    await conn.query('SELECT Id FROM Account');
    await conn.limits();
    await conn.limits();
    const err = await rejectionOf(conn.sobject('Account').create({ Name: 'over' }));
    expect(err).toMatchObject({ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' });
    const raw = await rest(emulator, token, 'GET', 'limits');
    expect(raw).toMatchObject({ status: 403, body: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }] });
    expect(raw.headers.get('sforce-limit-info')).toBe('api-usage=5/5');
    expect(emulator.state.store.liveCount).toBe(1);
    // Admin and OAuth calls are not API calls.
    expect((await admin(emulator, 'GET', '/health')).status).toBe(200);
    await login(emulator);
  });

  it('lets the admin API set usage and the maximum, or exhaust the quota', async () => {
    expect((await admin(emulator, 'POST', '/quota', { used: 10, max: 100 })).body).toEqual({ used: 10, max: 100 });
    expect((await rest(emulator, token, 'GET', 'limits')).headers.get('sforce-limit-info')).toBe('api-usage=11/100');
    expect((await admin(emulator, 'POST', '/quota', { exhaust: true })).body).toEqual({ used: 100, max: 100 });
    expect((await rest(emulator, token, 'GET', 'limits')).status).toBe(403);
    expect((await admin(emulator, 'POST', '/quota', { used: -1 })).status).toBe(400);
  });
});

describe('faults', () => {
  it('answers 503 SERVER_UNAVAILABLE during an outage and for error_rate 1, without changing state', async () => {
    await setFaults({ outage: true });
    expect(await rest(emulator, token, 'POST', 'sobjects/Account', { Name: 'never' })).toMatchObject({ status: 503, body: [{ errorCode: 'SERVER_UNAVAILABLE' }] });
    await setFaults({ outage: false, error_rate: 1 });
    const err = await rejectionOf(conn.sobject('Account').create({ Name: 'never' }));
    expect(err.errorCode).toBe('SERVER_UNAVAILABLE');
    await setFaults({ error_rate: 0 });
    const stats = (await admin<StatsSnapshot>(emulator, 'GET', '/stats')).body;
    expect(stats).toMatchObject({ errors_injected: 2, writes: 0, accounts: { live: 0, deleted: 0 }, events: 0 });
    // Injected failures happen before the quota is counted.
    expect(stats.api_usage.used).toBe(0);
  });

  it('adds latency', async () => {
    await setFaults({ latency_ms: 150 });
    const started = performance.now();
    await conn.limits();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('fails the next single-record write with UNABLE_TO_LOCK_ROW, then recovers', async () => {
    await setFaults({ lock_row_failures: 1 });
    const err = await rejectionOf(conn.sobject('Account').create({ Name: 'locked' }));
    expect(err.errorCode).toBe('UNABLE_TO_LOCK_ROW');
    expect(await conn.sobject('Account').create({ Name: 'fine' })).toMatchObject({ success: true });
  });

  it('rejects bad fault settings', async () => {
    expect((await admin(emulator, 'POST', '/faults', { error_rate: 2 })).status).toBe(400);
    expect((await admin(emulator, 'POST', '/faults', { nope: true })).status).toBe(400);
    expect((await admin(emulator, 'GET', '/faults')).body).toEqual({ error_rate: 0, outage: false, latency_ms: 0, lock_row_failures: 0 });
  });
});
