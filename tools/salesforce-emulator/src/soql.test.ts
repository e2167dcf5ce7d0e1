import type { Connection } from 'jsforce';
import type { RunningEmulator } from './index';
import { login, rejectionOf, rest, startTestEmulator } from './test/helpers';

let emulator: RunningEmulator;
let conn: Connection;
let token: string;

beforeAll(async () => {
  emulator = await startTestEmulator({ queryBatchSize: 3 });
  conn = await login(emulator);
  token = conn.accessToken ?? '';
});
afterAll(() => emulator.close());
beforeEach(async () => {
  emulator.state.reset();
  await conn.sobject('Account').create(Array.from({ length: 7 }, (_, i) => ({ Name: `Account ${i}`, BillingCity: i % 2 === 0 ? 'Berlin' : 'Paris', Customer_Sync_Id__c: `c-${i}` })));
});

describe('SOQL subset', () => {
  it('pages with nextRecordsUrl, and jsforce follows it with autoFetch', async () => {
    const first = await rest(emulator, token, 'GET', `query?q=${encodeURIComponent('SELECT Id, Name FROM Account ORDER BY SystemModstamp, Id ASC')}`);
    expect(first.body).toMatchObject({ totalSize: 7, done: false, nextRecordsUrl: expect.stringMatching(/^\/services\/data\/v64\.0\/query\/01g[A-Za-z0-9]+-3$/) });
    const page1 = first.body as { records: Array<Record<string, unknown>>; nextRecordsUrl: string };
    expect(page1.records).toHaveLength(3);
    expect(Object.keys(page1.records[0]!)).toEqual(['attributes', 'Id', 'Name']);

    const more = await conn.queryMore(page1.nextRecordsUrl);
    expect(more).toMatchObject({ totalSize: 7, done: false });
    expect(more.records.map((r) => r['Name'])).toEqual(['Account 3', 'Account 4', 'Account 5']);

    const all = await conn.query('SELECT Id, Name FROM Account').run({ autoFetch: true, maxFetch: 100 });
    expect(all.records.map((r) => r['Name'])).toEqual(Array.from({ length: 7 }, (_, i) => `Account ${i}`));
  });

  it('filters on SystemModstamp, =, IN, Id > and LIMIT, and orders', async () => {
    const ids = (await conn.query<{ Id: string }>('SELECT Id FROM Account ORDER BY Id')).records.map((r) => r.Id);
    const since = new Date(Date.now() - 60_000).toISOString();
    const q = await conn.query(`SELECT Id, Name, BillingCity FROM Account WHERE SystemModstamp > ${since} AND BillingCity = 'berlin' AND Id > '${ids[0]}' ORDER BY Name DESC LIMIT 2`);
    expect(q.records.map((r) => r['Name'])).toEqual(['Account 6', 'Account 4']);
    const inList = await conn.query("SELECT Name FROM Account WHERE Customer_Sync_Id__c IN ('c-1', 'c-5', 'nope')");
    expect(inList.records.map((r) => r['Name'])).toEqual(['Account 1', 'Account 5']);
    const future = await conn.query(`SELECT Id FROM Account WHERE SystemModstamp > ${new Date(Date.now() + 60_000).toISOString()}`);
    expect(future.totalSize).toBe(0);
  });

  it('includes deleted records only in queryAll', async () => {
    const { records } = await conn.query<{ Id: string }>("SELECT Id FROM Account WHERE Name = 'Account 0'");
    await conn.sobject('Account').destroy(records[0]!.Id);
    expect((await conn.query("SELECT Id FROM Account WHERE Name = 'Account 0'")).totalSize).toBe(0);
    const all = await rest(emulator, token, 'GET', `queryAll?q=${encodeURIComponent("SELECT Id, IsDeleted FROM Account WHERE Name = 'Account 0'")}`);
    expect(all.body).toMatchObject({ totalSize: 1, records: [{ Id: records[0]!.Id, IsDeleted: true }] });
    expect((await conn.query('SELECT Id FROM Account').scanAll(true).run({ autoFetch: true })).totalSize).toBe(7);
  });

  it.each([
    ['SELECT Id FROM Account WHERE Name = \'a\' OR Name = \'b\'', 'MALFORMED_QUERY', /OR is not supported/],
    ['SELECT COUNT() FROM Account', 'MALFORMED_QUERY', /COUNT\(\) are not supported|functions/],
    ['SELECT Id FROM Account WHERE Name LIKE \'a%\'', 'MALFORMED_QUERY', /LIKE is not supported/],
    ['SELECT Id, (SELECT Id FROM Contacts) FROM Account', 'MALFORMED_QUERY', /sub-queries/],
    ['SELECT Owner.Name FROM Account', 'MALFORMED_QUERY', /relationship fields/],
    ['SELECT Id FROM Account WHERE CreatedDate > LAST_N_DAYS:3', 'MALFORMED_QUERY', /LAST_N_DAYS/],
    ['SELECT Id FROM Account WHERE SystemModstamp > \'2026-01-01T00:00:00Z\'', 'INVALID_FIELD', /dateTime and should not be enclosed in quotes/],
    ['SELECT Nope__c FROM Account', 'INVALID_FIELD', /No such column 'Nope__c'/],
    ['SELECT Id FROM Contact', 'INVALID_TYPE', /Contact/],
  ])('rejects %s', async (soql, errorCode, message) => {
    const err = await rejectionOf(conn.query(soql));
    expect(err.errorCode).toBe(errorCode);
    expect(err.message).toMatch(message);
  });

  it('answers INVALID_QUERY_LOCATOR for an unknown cursor', async () => {
    expect(await rest(emulator, token, 'GET', 'query/01gXXXXXXXX-2000')).toMatchObject({ status: 400, body: [{ errorCode: 'INVALID_QUERY_LOCATOR' }] });
  });
});
