import type { Connection } from 'jsforce';
import type { RunningEmulator, StatsSnapshot } from './index';
import { admin, login, startTestEmulator } from './test/helpers';

let emulator: RunningEmulator;
let conn: Connection;

beforeAll(async () => {
  emulator = await startTestEmulator();
  conn = await login(emulator);
});
afterAll(() => emulator.close());
beforeEach(() => emulator.state.reset({ faults: true }));

describe('admin API', () => {
  it('answers health, and reset drops accounts and events but keeps sessions', async () => {
    expect((await admin(emulator, 'GET', '/health')).body).toEqual({ ok: true });
    await conn.sobject('Account').create({ Name: 'x' });
    expect((await admin(emulator, 'POST', '/reset')).body).toEqual({ ok: true });
    expect((await admin(emulator, 'GET', '/accounts')).body).toEqual([]);
    expect((await admin<unknown[]>(emulator, 'GET', '/events')).body).toEqual([]);
    expect((await conn.query('SELECT Id FROM Account')).totalSize).toBe(0);
  });

  it('edits like a person in the UI, with the same validation, outside the quota and API write stats', async () => {
    const created = await admin<{ Id: string; Name: string }>(emulator, 'POST', '/ui/accounts', { Name: 'Typed in', BillingCountryCode: 'fr' });
    expect(created).toMatchObject({ status: 200, body: { Name: 'Typed in', BillingCountry: 'France', BillingCountryCode: 'FR' } });
    const id = created.body.Id;
    expect((await admin(emulator, 'PATCH', `/ui/accounts/${id}`, { Name: null })).body).toEqual([expect.objectContaining({ errorCode: 'REQUIRED_FIELD_MISSING' })]);
    expect((await admin(emulator, 'DELETE', `/ui/accounts/${id}`)).body).toMatchObject({ IsDeleted: true });
    expect((await admin(emulator, 'POST', `/ui/accounts/${id}/undelete`)).body).toMatchObject({ IsDeleted: false });
    expect((await admin(emulator, 'POST', '/ui/accounts/bulk-update', { ids: [] })).status).toBe(400);
    const stats = (await admin<StatsSnapshot>(emulator, 'GET', '/stats')).body;
    expect(stats).toMatchObject({ writes: 0, ui_writes: 3, api_usage: { used: 0 }, events: 3 });
  });

  it('lists every account including deleted ones, and counts requests by route', async () => {
    const { id } = (await conn.sobject('Account').create({ Name: 'a' })) as { id: string };
    await conn.sobject('Account').create({ Name: 'b' });
    await conn.sobject('Account').destroy(id);
    const all = (await admin<Array<{ Name: string; IsDeleted: boolean }>>(emulator, 'GET', '/accounts')).body;
    expect(all.map((a) => [a.Name, a.IsDeleted])).toEqual([['a', true], ['b', false]]);
    const stats = (await admin<StatsSnapshot>(emulator, 'GET', '/stats')).body;
    expect(stats.requests.by_route).toEqual({ 'POST sobjects/Account': 2, 'DELETE sobjects/Account/:id': 1 });
    expect(stats).toMatchObject({ writes: 3, api_usage: { used: 3 }, accounts: { live: 1, deleted: 1 } });
  });

  it('sets and clears the trigger, refusing unknown fields', async () => {
    expect((await admin(emulator, 'POST', '/trigger', { field: 'Nope', value: 'x' })).status).toBe(400);
    expect((await admin(emulator, 'POST', '/trigger', { field: 'description', value: 'set by trigger' })).body).toEqual({ trigger: { field: 'Description', value: 'set by trigger' } });
    const { id } = (await conn.sobject('Account').create({ Name: 'with trigger' })) as { id: string };
    expect(await conn.sobject('Account').retrieve(id)).toMatchObject({ Description: 'set by trigger' });
    expect((await admin(emulator, 'POST', '/trigger', {})).body).toEqual({ trigger: null });
  });

  it('answers 404 for an unknown admin route', async () => {
    expect((await admin(emulator, 'GET', '/nope')).status).toBe(404);
  });
});
