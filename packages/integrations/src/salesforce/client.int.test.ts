import { opts, rejectionOf, startTestOrg, type TestOrg } from './test/emulator';

let org: TestOrg;
beforeAll(async () => {
  org = await startTestOrg();
});
afterAll(() => org.close());
beforeEach(async () => {
  org.emulator.state.reset();
  await org.admin('POST', '/faults', { error_rate: 0, outage: false, latency_ms: 0, lock_row_failures: 0 });
});

const fields = (i: number) => ({ name: `Backlog ${i}`, email: `b${i}@x.example` });

describe('Salesforce client against the emulator', () => {
  it('logs in again when the session expires mid-backlog: every write lands, none twice', async () => {
    for (let i = 1; i <= 3; i++) await org.sf.accounts.create(fields(i), i, opts);
    expect((await org.admin<{ expired: number }>('POST', '/sessions/expire')).body.expired).toBeGreaterThan(0);
    for (let i = 4; i <= 6; i++) await org.sf.accounts.create(fields(i), i, opts);
    const accounts = (await org.admin<Array<{ Customer_Sync_Id__c: string }>>('GET', '/accounts')).body;
    expect(accounts.map((a) => a.Customer_Sync_Id__c).sort()).toEqual(['1', '2', '3', '4', '5', '6']);
    // The refused write shows on the wire, then its replay after the new login.
    const upserts = org.calls.filter((c) => c.method === 'PATCH /sobjects/Account/{field}/{id}').map((c) => c.status);
    expect(upserts.filter((s) => s === 401)).toHaveLength(1);
  });

  it('classifies UNABLE_TO_LOCK_ROW and 503 as retryable, and the retry then succeeds', async () => {
    await org.admin('POST', '/faults', { lock_row_failures: 1 });
    const locked = org.sf.classifyError(await rejectionOf(org.sf.accounts.create(fields(1), 1, opts)));
    expect(locked).toMatchObject({ retryable: true, code: 'UNABLE_TO_LOCK_ROW', status: 400, retryAfterMs: 1000 });
    expect((await org.sf.accounts.create(fields(1), 1, opts)).internalId).toBe(1);

    await org.admin('POST', '/faults', { outage: true });
    const down = org.sf.classifyError(await rejectionOf(org.sf.accounts.get('001000000000000AAA')));
    expect(down).toMatchObject({ retryable: true, code: 'SERVER_UNAVAILABLE', status: 503 });
    await org.admin('POST', '/faults', { outage: false });
    // jsforce's own retries are off: one GET, one answer.
    expect(org.calls.filter((c) => c.status === 503)).toHaveLength(1);
  });

  it('keeps the quota from Sforce-Limit-Info, and classifies an exhausted quota', async () => {
    await org.admin('POST', '/quota', { used: 899, max: 1000 });
    await org.sf.ping();
    expect(org.sf.quota()).toEqual({ used: 900, max: 1000 });
    expect(org.sf.quotaExhausted(0.9)).toBe(true);
    expect(org.sf.quotaExhausted(0.95)).toBe(false);

    await org.admin('POST', '/quota', { exhaust: true });
    const err = org.sf.classifyError(await rejectionOf(org.sf.accounts.create(fields(2), 2, opts)));
    expect(err).toMatchObject({ retryable: true, code: 'REQUEST_LIMIT_EXCEEDED', status: 403, retryAfterMs: 15 * 60_000 });
    expect(org.sf.quotaExhausted(1)).toBe(true);
    await org.admin('POST', '/quota', { used: 0, max: 100_000 });
  });

  it('takes refused credentials as Salesforce down for us (AUTH_FAILED opens the circuit; nothing parks)', async () => {
    const other = await startTestOrg({ clientSecret: 'the-real-secret' });
    try {
      const err = other.sf.classifyError(await rejectionOf(other.sf.ping()));
      expect(err).toMatchObject({ retryable: true, systemDown: true, code: 'AUTH_FAILED' });
    } finally {
      await other.close();
    }
  });
});
