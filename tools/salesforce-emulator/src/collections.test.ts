import type { Connection } from 'jsforce';
import type { RunningEmulator } from './index';
import { login, rest, startTestEmulator } from './test/helpers';

let emulator: RunningEmulator;
let conn: Connection;
let token: string;

beforeAll(async () => {
  emulator = await startTestEmulator();
  conn = await login(emulator);
  token = conn.accessToken ?? '';
});
afterAll(() => emulator.close());
beforeEach(() => emulator.state.reset({ faults: true }));

const accounts = () => conn.sobject('Account');

describe('sObject Collections', () => {
  it('creates many in order, and with allOrNone=false a bad record fails on its own', async () => {
    const results = await accounts().create([{ Name: 'A' }, { Phone: 'no name' }, { Name: 'C', Billing_Email__c: 'c@example.com' }], { allOrNone: false });
    expect(results).toEqual([
      { id: expect.stringMatching(/^001/), success: true, errors: [] },
      { success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [Name]', fields: ['Name'] }] },
      { id: expect.stringMatching(/^001/), success: true, errors: [] },
    ]);
    expect(emulator.state.store.liveCount).toBe(2);
  });

  it('rolls everything back with allOrNone=true', async () => {
    const results = await accounts().create([{ Name: 'A' }, { Name: 'B', Bogus__c: 'x' }], { allOrNone: true });
    expect(results).toEqual([
      { success: false, errors: [expect.objectContaining({ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' })] },
      { success: false, errors: [expect.objectContaining({ statusCode: 'INVALID_FIELD' })] },
    ]);
    expect(emulator.state.store.size).toBe(0);
    expect(emulator.state.bus.all()).toHaveLength(0);
  });

  it('updates and deletes many by id, each record on its own', async () => {
    const created = (await accounts().create([{ Name: 'A' }, { Name: 'B' }])) as Array<{ id: string }>;
    const [a, b] = created.map((r) => r.id);
    const updated = await accounts().update([{ Id: a!, Phone: '1' }, { Id: b!, Billing_Email__c: 'bad' }], { allOrNone: false });
    expect(updated).toEqual([
      { id: a, success: true, errors: [] },
      { id: b, success: false, errors: [expect.objectContaining({ statusCode: 'INVALID_EMAIL_ADDRESS' })] },
    ]);
    expect(await accounts().retrieve(a!)).toMatchObject({ Phone: '1' });
    const deleted = await accounts().destroy([a!, b!]);
    expect(deleted).toEqual([{ id: a, success: true, errors: [] }, { id: b, success: true, errors: [] }]);
    const again = await accounts().destroy([a!]);
    expect(again).toEqual([{ id: a, success: false, errors: [expect.objectContaining({ statusCode: 'ENTITY_IS_DELETED' })] }]);
  });

  it('upserts many by external id and reports created per record', async () => {
    await accounts().create({ Name: 'Existing', Customer_Sync_Id__c: 'e-1' });
    const results = await accounts().upsert(
      [{ Customer_Sync_Id__c: 'e-1', Name: 'Existing renamed' }, { Customer_Sync_Id__c: 'e-2', Name: 'New' }, { Customer_Sync_Id__c: 'e-3' }],
      'Customer_Sync_Id__c',
      { allOrNone: false },
    );
    expect(results).toEqual([
      { id: expect.stringMatching(/^001/), success: true, errors: [], created: false },
      { id: expect.stringMatching(/^001/), success: true, errors: [], created: true },
      { success: false, errors: [expect.objectContaining({ statusCode: 'REQUIRED_FIELD_MISSING' })] },
    ]);
  });

  it('retrieves many by id in order, null for missing or deleted records', async () => {
    const created = (await accounts().create([{ Name: 'A', Phone: '1' }, { Name: 'B' }])) as Array<{ id: string }>;
    const [a, b] = created.map((r) => r.id);
    await accounts().destroy(b!);
    const records = await accounts().retrieve([a!, b!, '001000000000000AAA'], { fields: ['Name', 'Phone'] });
    expect(records).toEqual([{ attributes: expect.objectContaining({ type: 'Account' }), Name: 'A', Phone: '1' }, null, null]);
  });

  it('refuses more than 200 records with EXCEEDED_ID_LIMIT', async () => {
    const records = Array.from({ length: 201 }, (_, i) => ({ attributes: { type: 'Account' }, Name: `N${i}` }));
    const res = await rest(emulator, token, 'POST', 'composite/sobjects', { allOrNone: false, records });
    expect(res).toMatchObject({ status: 400, body: [{ errorCode: 'EXCEEDED_ID_LIMIT' }] });
    const ids = Array.from({ length: 201 }, () => '001000000000000AAA').join(',');
    expect(await rest(emulator, token, 'DELETE', `composite/sobjects?ids=${ids}`)).toMatchObject({ status: 400, body: [{ errorCode: 'EXCEEDED_ID_LIMIT' }] });
  });

  it('fails the next N record writes with UNABLE_TO_LOCK_ROW', async () => {
    emulator.state.faults.update({ lock_row_failures: 1 });
    const results = await accounts().create([{ Name: 'Locked' }, { Name: 'Fine' }], { allOrNone: false });
    expect(results).toEqual([
      { success: false, errors: [expect.objectContaining({ statusCode: 'UNABLE_TO_LOCK_ROW' })] },
      expect.objectContaining({ success: true }),
    ]);
    expect(emulator.state.faults.settings.lock_row_failures).toBe(0);
  });
});
