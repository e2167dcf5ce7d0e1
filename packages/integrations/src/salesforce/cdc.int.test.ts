import { encodeReplayId } from '@cs/salesforce-emulator';
import type { NeutralChange, StreamBatch } from '../types';
import { EARLIEST_CURSOR } from './cdc';
import { opts, startTestOrg, type TestOrg } from './test/emulator';

let now = Date.UTC(2026, 11, 1, 12, 0, 0);
let org: TestOrg;
const subscriptions: Array<() => Promise<void>> = [];

beforeAll(async () => {
  org = await startTestOrg({ keepaliveMs: 150, retentionMs: 3_600_000, clock: () => now });
});
afterAll(() => org.close());
beforeEach(() => org.emulator.state.reset());
afterEach(async () => {
  for (const stop of subscriptions.splice(0)) await stop();
});

function subscribe(cursor: string | null) {
  const batches: StreamBatch[] = [];
  const ac = new AbortController();
  const done = org.sf.stream.subscribe(cursor, async (b) => void batches.push(b), { signal: ac.signal });
  const stop = async () => {
    ac.abort();
    await done;
  };
  subscriptions.push(stop);
  const changes = (): NeutralChange[] => batches.flatMap((b) => b.changes);
  const until = async (predicate: () => boolean, what: string): Promise<void> => {
    const deadline = Date.now() + 5_000;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(batches)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { batches, changes, stop, until };
}

/** Subscribed at the tip, and live: its first keep-alive has come. */
async function live() {
  const s = subscribe(null);
  await s.until(() => s.batches.length > 0, 'the first keep-alive');
  return s;
}

const ui = <T = { Id: string }>(method: string, path: string, body?: unknown) => org.admin<T>(method, `/ui/accounts${path}`, body).then((r) => r.body);

describe('Salesforce CDC over the Pub/Sub API', () => {
  it('delivers UI create, update, delete and undelete in our terms', async () => {
    const s = await live();
    const { Id: id } = await ui('POST', '', { Name: 'Acme', Phone: '1', BillingCity: 'Berlin', BillingCountryCode: 'DE', Billing_Email__c: 'A@acme.example', Customer_Sync_Id__c: '17' });
    await ui('PATCH', `/${id}`, { Phone: '2', Description: 'not ours' });
    await ui('PATCH', `/${id}`, { BillingStreet: 'Hauptstr. 1' });
    // The address change reads the record back; deleting it first would leave nothing to read.
    await s.until(() => s.changes().length >= 3, '3 changes');
    await ui('DELETE', `/${id}`);
    await ui('POST', `/${id}/undelete`);
    await s.until(() => s.changes().length >= 5, '5 changes');
    const [created, phone, street, deleted, undeleted] = s.changes();
    expect(created).toEqual({
      action: 'upsert',
      kind: 'created',
      entityType: 'customer',
      objectType: 'Account',
      externalId: id,
      eventId: expect.stringMatching(new RegExp(`^[^:]+:1:${id}$`)),
      eventType: 'AccountChangeEvent.CREATE',
      sourceTs: Math.floor(now / 1000),
      sourceTsMs: now,
      ownWrite: false,
      customer: {
        externalId: id,
        internalId: 17,
        deleted: false,
        name: 'Acme',
        email: 'a@acme.example',
        phone: '1',
        address: { line1: null, line2: null, city: 'Berlin', state: null, postal_code: null, country: 'DE' },
        createdTs: Math.floor(now / 1000),
      },
    });
    expect(phone).toMatchObject({ kind: 'updated', action: 'upsert', partial: true, changedFields: ['phone'], customer: expect.objectContaining({ phone: '2' }) });
    // Only the street changed, but the address travels whole: read back from the record.
    expect(street).toMatchObject({ partial: true, changedFields: ['address'], customer: expect.objectContaining({ address: { line1: 'Hauptstr. 1', line2: null, city: 'Berlin', state: null, postal_code: null, country: 'DE' } }) });
    expect(deleted).toMatchObject({ kind: 'deleted', action: 'delete', customer: null, eventType: 'AccountChangeEvent.DELETE' });
    expect(deleted!.changedFields).toBeUndefined();
    expect(undeleted).toMatchObject({ kind: 'created', action: 'upsert', eventType: 'AccountChangeEvent.UNDELETE', customer: expect.objectContaining({ name: 'Acme', phone: '2', internalId: 17 }) });
    expect(new Set(s.changes().map((c) => c.eventId)).size).toBe(5);
  });

  it('marks our own writes, and gives each record of a bulk edit its own change', async () => {
    const s = await live();
    const a = await org.sf.accounts.create({ name: 'Ours', email: 'o@x.example' }, 1, opts);
    const b = await org.sf.accounts.create({ name: 'Also ours', email: 'p@x.example' }, 2, opts);
    await ui('POST', '/bulk-update', { ids: [a.externalId, b.externalId], fields: { Name: 'Renamed' } });
    await s.until(() => s.changes().length >= 4, '4 changes');
    const [ca, cb, ...bulk] = s.changes();
    expect([ca!.ownWrite, cb!.ownWrite]).toEqual([true, true]);
    expect(bulk.map((c) => [c.externalId, c.ownWrite, c.changedFields, c.customer?.name])).toEqual([
      [a.externalId, false, ['name'], 'Renamed'],
      [b.externalId, false, ['name'], 'Renamed'],
    ]);
    expect(bulk[0]!.eventId).not.toBe(bulk[1]!.eventId);
  });

  it('resumes from a persisted cursor with exactly the later events', async () => {
    const s = await live();
    const first = await ui('POST', '', { Name: 'one' });
    await s.until(() => s.changes().length === 1, 'one change');
    const cursor = s.batches.at(-1)!.cursor;
    await s.stop();
    await ui('POST', '', { Name: 'two' });
    await ui('POST', '', { Name: 'three' });
    const resumed = subscribe(cursor);
    await resumed.until(() => resumed.changes().length >= 2, 'two changes');
    await new Promise((r) => setTimeout(r, 400));
    expect(resumed.changes().map((c) => c.customer?.name)).toEqual(['two', 'three']);
    expect(resumed.changes().map((c) => c.externalId)).not.toContain(first.Id);
  });

  it('delivers a keep-alive as an empty batch carrying the latest replay id', async () => {
    await ui('POST', '', { Name: 'before' });
    const s = await live();
    expect(s.batches[0]).toEqual({ changes: [], cursor: encodeReplayId(org.emulator.state.bus.tip).toString('base64') });
  });

  it('turns gap events into batch.gap, GAP_OVERFLOW into a gap over everything', async () => {
    const s = await live();
    const { Id: id } = await ui('POST', '', { Name: 'gap' });
    await org.admin('POST', '/events/gap', { changeType: 'GAP_UPDATE', recordIds: [id] });
    await s.until(() => s.batches.some((b) => b.gap), 'a gap');
    expect(s.batches.find((b) => b.gap)!.gap).toEqual({ externalIds: [id] });
    await org.admin('POST', '/events/gap', { changeType: 'GAP_OVERFLOW' });
    await s.until(() => s.batches.filter((b) => b.gap).length === 2, 'a second gap');
    expect(s.batches.filter((b) => b.gap)[1]).toMatchObject({ changes: [], gap: { externalIds: [] } });
    expect(s.changes().map((c) => c.eventType)).toEqual(['AccountChangeEvent.CREATE']);
  });

  it('reports an expired replay id as a gap, then replays what Salesforce still keeps', async () => {
    const s = await live();
    await ui('POST', '', { Name: 'old' });
    await s.until(() => s.changes().length === 1, 'one change');
    const stale = s.batches.at(-1)!.cursor;
    await s.stop();
    now += 3_600_001;
    await ui('POST', '', { Name: 'new' });
    const resumed = subscribe(stale);
    await resumed.until(() => resumed.changes().length >= 1, 'the retained change');
    expect(resumed.batches[0]).toEqual({ changes: [], cursor: EARLIEST_CURSOR, gap: { externalIds: [] } });
    expect(resumed.changes().map((c) => c.customer?.name)).toEqual(['new']);
  });
});

describe('a change stream that falls silent', () => {
  let quiet: TestOrg;
  beforeAll(async () => {
    // No keep-alive for a minute, and we wait one second: every silence is taken for a dead stream.
    quiet = await startTestOrg({ keepaliveMs: 60_000 }, { SALESFORCE_PUBSUB_IDLE_MS: '1000' });
  });
  afterAll(() => quiet.close());

  it('is cancelled after the idle limit and opened again, and changes still come', async () => {
    const reconnects: string[] = [];
    const batches: StreamBatch[] = [];
    const ac = new AbortController();
    const done = quiet.sf.stream.subscribe(null, async (b) => void batches.push(b), {
      signal: ac.signal,
      onReconnect: (err) => reconnects.push((err as Error).message),
    });
    try {
      const deadline = Date.now() + 10_000;
      while (reconnects.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(reconnects[0]).toMatch(/no keep-alive for 1000 ms/);
      // Subscribed again (the backoff after one failure is under 250 ms): a change made now arrives.
      await new Promise((r) => setTimeout(r, 400));
      const { body } = await quiet.admin<{ Id: string }>('POST', '/ui/accounts', { Name: 'After the silence', Billing_Email__c: 'quiet@x.io' });
      while (!batches.some((b) => b.changes.some((c) => c.externalId === body.Id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(batches.flatMap((b) => b.changes).map((c) => c.externalId)).toContain(body.Id);
    } finally {
      ac.abort();
      await done;
    }
  });
});
