import * as grpc from '@grpc/grpc-js';
import type avro from 'avsc';
import type { Connection } from 'jsforce';
import { decodeReplayId, encodeReplayId, ORG_ID, type RunningEmulator } from './index';
import { decodeFieldList } from './test/bitmap-decoder';
import { admin, authMetadata, fakeClock, getSchema, login, pubSubClient, rejectionOf, sleep, startTestEmulator, TestSubscriber, type FetchResponse } from './test/helpers';

interface Header {
  entityName: string;
  recordIds: string[];
  changeType: string;
  changeOrigin: string;
  transactionKey: string;
  sequenceNumber: number;
  commitTimestamp: number;
  commitNumber: number;
  commitUser: string;
  nulledFields: string[];
  diffFields: string[];
  changedFields: string[];
}
type AccountChangeEvent = { ChangeEventHeader: Header } & Record<string, unknown>;

const clock = fakeClock();
let emulator: RunningEmulator;
let conn: Connection;
let client: ReturnType<typeof pubSubClient>;
let md: grpc.Metadata;
let schema: { schemaId: string; type: avro.Type; json: string };
const subscribers: TestSubscriber[] = [];

beforeAll(async () => {
  emulator = await startTestEmulator({ clock: clock.now, keepaliveMs: 150, retentionMs: 3_600_000 });
  conn = await login(emulator, { callOptions: { client: 'sync-worker' } });
  client = pubSubClient(emulator);
  md = authMetadata(conn);
  schema = await getSchema(client, md);
});
afterAll(async () => {
  client.close();
  await emulator.close();
});
beforeEach(() => emulator.state.reset());
afterEach(() => {
  for (const s of subscribers.splice(0)) s.close();
});

function subscribe(metadata = md): TestSubscriber {
  const s = new TestSubscriber(client, metadata);
  subscribers.push(s);
  return s;
}

const decode = (event: FetchResponse['events'][number]): AccountChangeEvent => schema.type.fromBuffer(event.event.payload) as AccountChangeEvent;
const fieldsOf = (list: string[]): string[] => decodeFieldList(schema.json, list).sort();

/** Subscribes at the tip and waits until the subscription is live (its first keep-alive). */
async function liveSubscriber(numRequested = 100): Promise<TestSubscriber> {
  const s = subscribe();
  s.request(numRequested);
  await s.until(() => s.responses.length > 0, 'the first keep-alive');
  return s;
}

describe('Pub/Sub API', () => {
  it('serves GetTopic and GetSchema: AccountChangeEvent in Avro, with a stable schema id', async () => {
    const parsed = JSON.parse(schema.json) as { name: string; namespace: string; fields: Array<{ name: string; type: unknown; default?: unknown }> };
    expect(parsed).toMatchObject({ name: 'AccountChangeEvent', namespace: 'com.sforce.eventbus' });
    expect(parsed.fields[0]?.name).toBe('ChangeEventHeader');
    for (const field of parsed.fields.slice(1)) expect(field).toMatchObject({ type: expect.arrayContaining(['null']), default: null });
    const address = parsed.fields.find((f) => f.name === 'BillingAddress');
    expect(JSON.stringify(address)).toContain('"name":"City"');
    expect(parsed.fields.map((f) => f.name)).not.toContain('SystemModstamp');
    const other = await startTestEmulator();
    try {
      expect(other.state.schema.id).toBe(schema.schemaId);
    } finally {
      await other.close();
    }
  });

  it('delivers a REST edit as an Avro AccountChangeEvent with changeOrigin, recordIds and bitmap changedFields', async () => {
    const s = await liveSubscriber();
    const { id } = (await conn.sobject('Account').create({ Name: 'Acme', Phone: '1', BillingCity: 'Berlin', Customer_Sync_Id__c: 'cus-1' })) as { id: string };
    await conn.sobject('Account').update({ Id: id, Phone: null, BillingCity: 'Hamburg', BillingCountryCode: 'DE', Name: 'Acme' });
    await s.waitForEvents(2);

    const [created, updated] = s.events.map(decode);
    expect(created!.ChangeEventHeader).toMatchObject({ entityName: 'Account', changeType: 'CREATE', recordIds: [id], changeOrigin: 'com/salesforce/api/rest/64.0;client=sync-worker', changedFields: [], sequenceNumber: 1, commitUser: expect.stringMatching(/^005/) });
    expect(created).toMatchObject({ Name: 'Acme', Phone: '1', Customer_Sync_Id__c: 'cus-1', BillingAddress: expect.objectContaining({ City: 'Berlin' }) });

    const header = updated!.ChangeEventHeader;
    expect(header).toMatchObject({ changeType: 'UPDATE', recordIds: [id], changeOrigin: 'com/salesforce/api/rest/64.0;client=sync-worker', commitTimestamp: clock.now() });
    // Name was sent unchanged, so it is not a change; BillingCountry follows the code.
    expect(fieldsOf(header.changedFields)).toEqual(['BillingAddress.City', 'BillingAddress.Country', 'BillingAddress.CountryCode', 'LastModifiedDate', 'Phone']);
    expect(header.changedFields[0]).toMatch(/^0x[0-9A-F]*$/);
    expect(header.changedFields.slice(1)).toEqual([expect.stringMatching(/^\d+-0x[0-9A-F]+$/)]);
    expect(fieldsOf(header.nulledFields)).toEqual(['Phone']);
    expect(updated).toMatchObject({ Name: null, Phone: null, BillingAddress: { City: 'Hamburg', Country: 'Germany', CountryCode: 'DE', Street: null, State: null, PostalCode: null, StateCode: null, Latitude: null, Longitude: null, GeocodeAccuracy: null } });
    expect(decodeReplayId(s.events[1]!.replay_id)! > decodeReplayId(s.events[0]!.replay_id)!).toBe(true);
    expect(s.events[0]!.event.schema_id).toBe(schema.schemaId);
  });

  it('still emits an UPDATE with only LastModifiedDate when an update changes nothing', async () => {
    const s = await liveSubscriber();
    const { id } = (await conn.sobject('Account').create({ Name: 'Same' })) as { id: string };
    await conn.sobject('Account').update({ Id: id, Name: 'Same' });
    await s.waitForEvents(2);
    expect(fieldsOf(decode(s.events[1]!).ChangeEventHeader.changedFields)).toEqual(['LastModifiedDate']);
  });

  it('keeps replay ids increasing across an admin reset, so a stored replay id still resumes', async () => {
    await conn.sobject('Account').create({ Name: 'before reset' });
    const tipBefore = emulator.state.bus.tip;
    await admin(emulator, 'POST', '/reset');
    await conn.sobject('Account').create({ Name: 'after reset' });
    const s = subscribe();
    s.request(10, { replayPreset: 'CUSTOM', replayId: encodeReplayId(tipBefore) });
    await s.waitForEvents(1);
    expect(decode(s.events[0]!)['Name']).toBe('after reset');
    expect(decodeReplayId(s.events[0]!.replay_id)! > tipBefore).toBe(true);
  });

  it('uses the plain REST origin without Sforce-Call-Options, and an empty one for UI edits', async () => {
    const s = await liveSubscriber();
    const plain = await login(emulator);
    const { id } = (await plain.sobject('Account').create({ Name: 'No client' })) as { id: string };
    await admin(emulator, 'PATCH', `/ui/accounts/${id}`, { Phone: '2' });
    await s.waitForEvents(2);
    const [viaApi, viaUi] = s.events.map(decode);
    expect(viaApi!.ChangeEventHeader.changeOrigin).toBe('com/salesforce/api/rest/64.0');
    expect(viaUi!.ChangeEventHeader).toMatchObject({ changeOrigin: '', changeType: 'UPDATE' });
    expect(viaUi!.ChangeEventHeader.commitUser).not.toBe(viaApi!.ChangeEventHeader.commitUser);
  });

  it('names several records in one event for a UI bulk edit, and numbers changes within a transaction', async () => {
    const s = await liveSubscriber();
    const created = (await conn.sobject('Account').create([{ Name: 'A' }, { Name: 'B' }, { Name: 'C' }])) as Array<{ id: string }>;
    const ids = created.map((r) => r.id);
    expect((await admin(emulator, 'POST', '/ui/accounts/bulk-update', { ids: ids.slice(0, 2), fields: { Description: 'Key account' } })).status).toBe(200);
    await s.waitForEvents(4);
    const events = s.events.map(decode);
    expect(events.slice(0, 3).map((e) => e.ChangeEventHeader.sequenceNumber)).toEqual([1, 2, 3]);
    expect(new Set(events.slice(0, 3).map((e) => e.ChangeEventHeader.transactionKey)).size).toBe(1);
    expect(events[3]!.ChangeEventHeader).toMatchObject({ changeType: 'UPDATE', recordIds: ids.slice(0, 2) });
    expect(fieldsOf(events[3]!.ChangeEventHeader.changedFields)).toEqual(['Description', 'LastModifiedDate']);
  });

  it('merges the same change to several records of one API transaction into one event', async () => {
    const s = await liveSubscriber();
    const created = (await conn.sobject('Account').create([{ Name: 'X' }, { Name: 'Y' }, { Name: 'Z' }])) as Array<{ id: string }>;
    const [x, y, z] = created.map((r) => r.id);
    await conn.sobject('Account').update([{ Id: x!, Phone: '7' }, { Id: y!, Phone: '7' }, { Id: z!, Phone: '8' }]);
    await conn.sobject('Account').destroy([x!, y!]);
    await s.waitForEvents(6);
    const events = s.events.map(decode).map((e) => [e.ChangeEventHeader.changeType, e.ChangeEventHeader.recordIds, e['Phone'], e.ChangeEventHeader.sequenceNumber]);
    expect(events.slice(3)).toEqual([
      ['UPDATE', [x, y], '7', 1],
      ['UPDATE', [z], '8', 2],
      ['DELETE', [x, y], null, 1],
    ]);
  });

  it('delivers deletes and undeletes', async () => {
    const s = await liveSubscriber();
    const { id } = (await conn.sobject('Account').create({ Name: 'Gone', Phone: '9' })) as { id: string };
    await conn.sobject('Account').destroy(id);
    await admin(emulator, 'POST', `/ui/accounts/${id}/undelete`);
    await s.waitForEvents(3);
    const [, deleted, undeleted] = s.events.map(decode);
    expect(deleted).toMatchObject({ ChangeEventHeader: { changeType: 'DELETE', recordIds: [id], changedFields: [] }, Name: null });
    expect(undeleted).toMatchObject({ ChangeEventHeader: { changeType: 'UNDELETE', recordIds: [id] }, Name: 'Gone', Phone: '9' });
  });

  it('shows a trigger: a write gets another field changed in the same transaction', async () => {
    await admin(emulator, 'POST', '/trigger', { field: 'Description', value: 'touched {n}' });
    const s = await liveSubscriber();
    const { id } = (await conn.sobject('Account').create({ Name: 'T' })) as { id: string };
    await conn.sobject('Account').update({ Id: id, Phone: '3' });
    await s.waitForEvents(2);
    const updated = decode(s.events[1]!);
    expect(fieldsOf(updated.ChangeEventHeader.changedFields)).toEqual(['Description', 'LastModifiedDate', 'Phone']);
    expect(updated['Description']).toBe('touched 2');
    expect(await conn.sobject('Account').retrieve(id)).toMatchObject({ Description: 'touched 2' });
  });

  it('honours num_requested: one requested, exactly one sent until more are requested', async () => {
    await conn.sobject('Account').create([{ Name: '1' }, { Name: '2' }, { Name: '3' }]);
    const s = subscribe();
    s.request(1, { replayPreset: 'EARLIEST' });
    await s.waitForEvents(1);
    const first = s.responses.find((r) => r.events.length > 0)!;
    expect(first.pending_num_requested).toBe(0);
    await sleep(400); // several keep-alive intervals
    expect(s.events).toHaveLength(1);
    expect(s.responses.filter((r) => r.events.length === 0).every((r) => r.pending_num_requested === 0)).toBe(true);
    s.request(5);
    await s.waitForEvents(3);
    const last = s.responses.filter((r) => r.events.length > 0).at(-1)!;
    expect(last.pending_num_requested).toBe(3);
    expect(s.events.map((e) => decode(e)['Name'])).toEqual(['1', '2', '3']);
  });

  it('resumes after a CUSTOM replay id with exactly the later events', async () => {
    await conn.sobject('Account').create([{ Name: 'a' }, { Name: 'b' }, { Name: 'c' }]);
    const all = subscribe();
    all.request(10, { replayPreset: 'EARLIEST' });
    await all.waitForEvents(3);
    const resumed = subscribe();
    resumed.request(10, { replayPreset: 'CUSTOM', replayId: all.events[0]!.replay_id });
    await resumed.waitForEvents(2);
    await sleep(200);
    expect(resumed.events.map((e) => decode(e)['Name'])).toEqual(['b', 'c']);
  });

  it('refuses a CUSTOM replay id older than the retention window with INVALID_ARGUMENT', async () => {
    await conn.sobject('Account').create({ Name: 'old' });
    const early = subscribe();
    early.request(10, { replayPreset: 'EARLIEST' });
    await early.waitForEvents(1);
    clock.advance(3_600_001);
    await conn.sobject('Account').create({ Name: 'new' });
    const s = subscribe();
    s.request(10, { replayPreset: 'CUSTOM', replayId: early.events[0]!.replay_id });
    const err = await s.waitForError();
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/Replay ID validation failed/);
    expect(err.metadata.get('error-code')).toEqual(['sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted']);
    // EARLIEST now starts after the purged event.
    const fresh = subscribe();
    fresh.request(10, { replayPreset: 'EARLIEST' });
    await fresh.waitForEvents(1);
    expect(decode(fresh.events[0]!)['Name']).toBe('new');
  });

  it('sends an empty keep-alive with the latest replay id when idle', async () => {
    await conn.sobject('Account').create({ Name: 'before' });
    const s = subscribe();
    s.request(3);
    await s.until(() => s.responses.length >= 2, 'two keep-alives', 2_000);
    const tip = emulator.state.bus.tip;
    for (const r of s.responses.slice(0, 2)) {
      expect(r.events).toEqual([]);
      expect(decodeReplayId(r.latest_replay_id)).toBe(tip);
      expect(r.pending_num_requested).toBe(3);
      expect(r.rpc_id).not.toBe('');
    }
  });

  it('delivers gap events emitted through the admin API', async () => {
    const s = await liveSubscriber();
    const { id } = (await conn.sobject('Account').create({ Name: 'gap' })) as { id: string };
    expect((await admin(emulator, 'POST', '/events/gap', { changeType: 'GAP_UPDATE', recordIds: [id] })).status).toBe(200);
    expect((await admin(emulator, 'POST', '/events/gap', { changeType: 'GAP_OVERFLOW' })).status).toBe(200);
    expect((await admin(emulator, 'POST', '/events/gap', { changeType: 'UPDATE', recordIds: [id] })).status).toBe(400);
    await s.waitForEvents(3);
    const [, gap, overflow] = s.events.map(decode);
    expect(gap).toMatchObject({ ChangeEventHeader: { changeType: 'GAP_UPDATE', recordIds: [id], changedFields: [] }, Name: null });
    expect(overflow!.ChangeEventHeader).toMatchObject({ changeType: 'GAP_OVERFLOW', recordIds: [] });
  });

  it('answers UNAUTHENTICATED for a bad or expired token, and NOT_FOUND for another topic', async () => {
    const bad = new grpc.Metadata();
    bad.set('accesstoken', 'nope');
    bad.set('instanceurl', emulator.url);
    bad.set('tenantid', ORG_ID);
    const err = await rejectionOf(getSchema(client, bad));
    expect(err.code).toBe(grpc.status.UNAUTHENTICATED);
    const s = subscribe(bad);
    s.request(1);
    expect((await s.waitForError()).code).toBe(grpc.status.UNAUTHENTICATED);

    const other = subscribe();
    other.request(1, { topicName: '/data/ContactChangeEvent' });
    expect((await other.waitForError()).code).toBe(grpc.status.NOT_FOUND);

    await admin(emulator, 'POST', '/sessions/expire');
    const expired = subscribe();
    expired.request(1);
    expect((await expired.waitForError()).code).toBe(grpc.status.UNAUTHENTICATED);
    conn = await login(emulator, { callOptions: { client: 'sync-worker' } });
    md = authMetadata(conn);
    expect((await getSchema(client, md)).schemaId).toBe(schema.schemaId);
  });
});
