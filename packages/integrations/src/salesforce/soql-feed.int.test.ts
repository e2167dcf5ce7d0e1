import { startTestOrg, type TestOrg } from './test/emulator';

let org: TestOrg;
beforeAll(async () => {
  org = await startTestOrg();
});
afterAll(() => org.close());

const ui = async (method: string, path: string, body?: unknown) => (await org.admin<{ Id: string }>(method, path, body)).body;

describe('the SOQL catch-up feed (SystemModstamp)', () => {
  it('starts from now, then gives each change since its cursor, deletions included, oldest first', async () => {
    const before = await ui('POST', '/ui/accounts', { Name: 'Before', Billing_Email__c: 'before@x.io' });
    const first = await org.sf.feed.poll(null);
    expect(first.changes).toEqual([]);
    await new Promise((r) => setTimeout(r, 1100)); // past the first cursor's second

    const made = await ui('POST', '/ui/accounts', { Name: 'Made', Billing_Email__c: 'made@x.io' });
    await ui('PATCH', `/ui/accounts/${before.Id}`, { Phone: '+1 555 0102' });
    await ui('DELETE', `/ui/accounts/${made.Id}`);
    const page = await org.sf.feed.poll(first.cursor);
    expect(page.changes.map((c) => [c.externalId, c.kind, c.customer?.name])).toEqual([
      [before.Id, 'created', 'Before'],
      [made.Id, 'deleted', 'Made'],
    ]);
    expect(page.changes[0]).toMatchObject({ entityType: 'customer', objectType: 'Account', customer: expect.objectContaining({ phone: '+1 555 0102' }) });

    // The next poll reads its last second again; the same versions carry the same event ids.
    const again = await org.sf.feed.poll(page.cursor);
    const ids = new Set(page.changes.map((c) => c.eventId));
    expect(again.changes.every((c) => ids.has(c.eventId))).toBe(true);
  });

  it('gives two versions of a record stamped the same second two event ids, so the second is not taken for a duplicate', async () => {
    const acct = await ui('POST', '/ui/accounts', { Name: 'Twice', Billing_Email__c: 'twice@x.io' });
    const start = await org.sf.feed.poll(null);
    await new Promise((r) => setTimeout(r, 1100));
    await ui('PATCH', `/ui/accounts/${acct.Id}`, { Name: 'Twice (1)' });
    const first = await org.sf.feed.poll(start.cursor);
    await ui('PATCH', `/ui/accounts/${acct.Id}`, { Name: 'Twice (2)' }); // most often the same second
    const second = await org.sf.feed.poll(first.cursor);
    const v1 = first.changes.find((c) => c.externalId === acct.Id)!;
    const v2 = second.changes.find((c) => c.externalId === acct.Id)!;
    expect([v1.customer?.name, v2.customer?.name]).toEqual(['Twice (1)', 'Twice (2)']);
    expect(v2.eventId).not.toBe(v1.eventId);
  });
});
