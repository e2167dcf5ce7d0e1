import type { CustomerFields } from '../types';
import { opts, rejectionOf, startTestOrg, type TestOrg } from './test/emulator';

let org: TestOrg;
beforeAll(async () => {
  org = await startTestOrg({ queryBatchSize: 200 });
});
afterAll(() => org.close());
beforeEach(() => org.emulator.state.reset());

const acme: CustomerFields = {
  name: 'Acme GmbH',
  email: 'Billing@Acme.example',
  phone: '+49 30 1234',
  address: { line1: 'Hauptstr. 1', line2: 'Hinterhaus', city: 'Berlin', state: 'BE', postal_code: '10115', country: 'DE' },
};

describe('Salesforce Accounts against the emulator', () => {
  it('creates by upsert on our id: the same create twice leaves one Account', async () => {
    const first = await org.sf.accounts.create(acme, 42, opts);
    const again = await org.sf.accounts.create({ ...acme, phone: '+49 30 9999' }, 42, opts);
    expect(again.externalId).toBe(first.externalId);
    expect(first).toEqual({
      externalId: expect.stringMatching(/^001[A-Za-z0-9]{15}$/),
      internalId: 42,
      deleted: false,
      name: 'Acme GmbH',
      email: 'billing@acme.example',
      phone: '+49 30 1234',
      address: { line1: 'Hauptstr. 1', line2: 'Hinterhaus', city: 'Berlin', state: 'BE', postal_code: '10115', country: 'DE' },
      createdTs: expect.any(Number),
      modifiedTs: expect.any(Number),
    });
    expect(Math.abs(first.createdTs - Date.now() / 1000)).toBeLessThan(60);
    const all = await org.admin<Array<Record<string, unknown>>>('GET', '/accounts');
    expect(all.body).toHaveLength(1);
    expect(all.body[0]).toMatchObject({ Customer_Sync_Id__c: '42', Phone: '+49 30 9999', BillingStreet: 'Hauptstr. 1\nHinterhaus', Billing_Email__c: 'billing@acme.example' });
    expect(org.calls.map((c) => c.method)).toContain('PATCH /sobjects/Account/{field}/{id}');
  });

  it('updates by Id, clears with null, deletes (twice is fine) and gets null afterwards', async () => {
    const created = await org.sf.accounts.create(acme, 7, opts);
    const updated = await org.sf.accounts.update(created.externalId, { name: 'Acme AG', email: 'x@acme.example', phone: null, address: null }, opts);
    expect(updated).toMatchObject({ name: 'Acme AG', email: 'x@acme.example', phone: null, address: null, internalId: 7 });
    expect(await org.sf.accounts.get(created.externalId)).toEqual(updated);
    await org.sf.accounts.delete(created.externalId, opts);
    await org.sf.accounts.delete(created.externalId, opts);
    expect(await org.sf.accounts.get(created.externalId)).toBeNull();
    expect(await org.sf.accounts.get('001000000000000AAA')).toBeNull();
    expect(await org.sf.accounts.findByInternalId(7)).toBeNull();
  });

  it('finds by our id and pages through a list with the query locator as cursor', async () => {
    const results = await org.sf.accounts.upsertMany(Array.from({ length: 450 }, (_, i) => ({ fields: { name: `C${i}`, email: `c${i}@x.example` }, internalId: i + 1 })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect((await org.sf.accounts.findByInternalId(300))?.name).toBe('C299');
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await org.sf.accounts.list(cursor, 200);
      seen.push(...page.items.map((c) => c.externalId));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(450);
    expect([...seen].sort()).toEqual(seen);
  });

  it('upserts 450 records in 3 collection calls, a bad record failing alone', async () => {
    org.calls.length = 0;
    const records = Array.from({ length: 450 }, (_, i) => ({ fields: { name: i === 321 ? 'x'.repeat(256) : `N${i}`, email: `n${i}@x.example` }, internalId: 1000 + i }));
    const results = await org.sf.accounts.upsertMany(records);
    expect(org.calls.filter((c) => c.method === 'PATCH /composite/sobjects/Account/{field}')).toHaveLength(3);
    expect(results).toHaveLength(450);
    expect(results[321]).toEqual({ ok: false, error: expect.objectContaining({ retryable: false, code: 'STRING_TOO_LONG' }) });
    expect(results.filter((r) => r.ok && r.created)).toHaveLength(449);
    const again = await org.sf.accounts.upsertMany(records.slice(0, 2));
    expect(again).toEqual([expect.objectContaining({ ok: true, created: false }), expect.objectContaining({ ok: true, created: false })]);
  });

  it('reads changes since a time from SystemModstamp, deleted ones included', async () => {
    const a = await org.sf.accounts.create({ name: 'A', email: 'a@x.example' }, 1, opts);
    const b = await org.sf.accounts.create({ name: 'B', email: 'b@x.example' }, 2, opts);
    const since = new Date(Date.now() - 60_000).toISOString();
    await org.sf.accounts.delete(a.externalId, opts);
    const page = await org.sf.accounts.changedSince(since, null, 200);
    expect(page.items.map((c) => [c.externalId, c.deleted])).toEqual(expect.arrayContaining([[a.externalId, true], [b.externalId, false]]));
    expect(page.nextCursor).toBeNull();
    expect(page.until).toEqual(expect.any(String));
    expect((await org.sf.accounts.changedSince(new Date(Date.now() + 60_000).toISOString(), null, 200)).items).toEqual([]);
  });

  it('writes no field mapped from Salesforce, and sends Name on create anyway', async () => {
    const other = await startTestOrg({}, { SALESFORCE_FIELD_DIRECTIONS: 'phone=from,name=from' });
    try {
      const created = await other.sf.accounts.create(acme, 5, opts);
      expect(created).toMatchObject({ name: 'Acme GmbH', phone: null });
      await other.sf.accounts.update(created.externalId, { ...acme, name: 'Renamed' }, opts);
      expect(await other.sf.accounts.get(created.externalId)).toMatchObject({ name: 'Acme GmbH', phone: null });
    } finally {
      await other.close();
    }
  });

  it('answers REST errors as Salesforce classes: validation permanent, unknown id not found', async () => {
    const err = await rejectionOf(org.sf.accounts.create({ ...acme, name: '' }, 9, opts));
    expect(org.sf.classifyError(err)).toMatchObject({ retryable: false, code: 'REQUIRED_FIELD_MISSING', status: 400 });
    const missing = await rejectionOf(org.sf.accounts.update('001000000000000AAA', acme, opts));
    expect(org.sf.classifyError(missing)).toMatchObject({ retryable: false, code: 'not_found', status: 404 });
  });
});
