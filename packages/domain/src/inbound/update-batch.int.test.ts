import { query, resetDatabase } from '../../../../test/support/db';
import { stateHash } from '../customer-rules';
import { openOrm, type MikroORM } from '../orm';
import { applyExternalChange } from './apply-external-change';
import { applyOutsideLocks } from './apply-outside-locks';
import { recordInboundOutcome } from './audit';
import type { ExternalChange, ExternalState, InboundOutcome } from './types';
import { applyCreateBatch } from './create-batch';
import { applyUpdateBatch, type BatchChange } from './update-batch';

let orm: MikroORM;
beforeAll(async () => {
  orm = await openOrm({ databaseUrl: process.env.DATABASE_URL!, poolMax: 3 });
});
afterAll(() => orm.close());

const T0 = 1_800_000_000;
const SYSTEM = 'stripe';
const TARGET = { system: SYSTEM, objectType: 'customer' };

const ADDRESS = { line1: '1 Main St', line2: null, city: 'Leeds', state: null, postal_code: 'LS1', country: 'GB' };
/** c2 and c3 have a phone, c3 an address too; the rest neither. */
const contact = (i: number) => ({ phone: i === 2 || i === 3 ? `+1 555 010${i}` : null, address: i === 3 ? ADDRESS : null });

/**
 * Customers c1..c12 linked to cus_1..cus_12 (last applied at T0, hash = what they hold; the even
 * ones keep the synced state too, the odd ones are mappings from before it was kept), and c13
 * linked to nothing.
 */
async function seed(): Promise<void> {
  await resetDatabase();
  for (let i = 1; i <= 13; i++) {
    const { phone, address } = contact(i);
    await query('insert into customers (name, email, phone, address, updated_at) values ($1, $2, $3, $4, $5)', [`Name ${i}`, `c${i}@x.io`, phone, address && JSON.stringify(address), new Date((T0 - 60) * 1000)]);
    if (i <= 12) {
      const held = { name: `Name ${i}`, email: `c${i}@x.io`, phone, address };
      await query('insert into external_mappings (internal_id, external_system, external_id, last_synced_hash, last_synced_state, last_source_ts) values ($1, $2, $3, $4, $5, $6)', [
        i,
        SYSTEM,
        `cus_${i}`,
        stateHash(held),
        i % 2 === 0 ? JSON.stringify(held) : null,
        T0,
      ]);
    }
  }
  // c5: a change of ours not yet sent (its hash is of an older state).
  await query("update customers set name = 'Ours Newer', updated_at = $1 where id = 5", [new Date((T0 + 30) * 1000)]);
  // c7 is deleted here; event evt_8 was applied before.
  await query('update customers set deleted_at = now() where id = 7');
  await query("insert into processed_events (external_system, event_id) values ('stripe', 'evt_8')");
}

const state = (name: string, email: string, more: Partial<ExternalState> = {}): ExternalState => ({ name, email, phone: null, address: null, internalId: null, deleted: false, ...more });
const event = (n: number, ts: number, s: ExternalState | null, kind: ExternalChange['kind'] = 'updated', externalId = `cus_${n}`): ExternalChange => ({
  system: SYSTEM,
  objectType: 'customer',
  eventId: `evt_${n}`,
  kind,
  externalId,
  sourceTs: ts,
  state: s,
  traceId: `trace-${n}`,
});

/** One event per record, each a case of the rules. */
const EVENTS: ExternalChange[] = [
  event(1, T0 + 5, state('Renamed One', 'NEW1@x.io', { phone: '555 0101' })), // update, new email free, a phone → batch
  event(2, T0 + 5, state('Name 2', 'c2@x.io', { phone: '+1 555 0102' })), // equal to ours, phone too (echo) → batch
  event(3, T0 - 5, state('Stale', 'c3@x.io')), // stale → one by one
  event(4, T0, state('Tie', 'c4@x.io')), // same second as the last applied → one by one (asks the source)
  event(5, T0 + 5, state('Theirs Older', 'c5@x.io')), // ours pending and newer → one by one
  event(6, T0 + 5, state('Name 6', 'c9@x.io')), // email held by c9 → one by one (conflict)
  event(7, T0 + 5, state('Back', 'c7@x.io')), // deleted here → one by one
  event(8, T0 + 5, state('Again', 'c8@x.io')), // already applied → one by one
  event(10, T0 + 5, state('Ten', 'same@x.io')), // two records to one new email → both one by one
  event(11, T0 + 5, state('Eleven', 'same@x.io')),
  event(12, T0 + 5, null, 'deleted'), // a delete → one by one
  event(14, T0 + 5, state('Unlinked', 'c13@x.io'), 'updated', 'cus_14'), // not linked (links by email) → one by one
  event(9, T0 + 5, state('Nine Renamed', 'c9@x.io', { address: { ...ADDRESS, line2: 'Flat 2' } })), // update, same email, an address → batch
];
const audit = (c: ExternalChange) => ({ system: SYSTEM, eventType: `customer.${c.kind}`, traceId: c.traceId, payload: { event_id: c.eventId, external_id: c.externalId, via: 'webhook' }, sourceAt: new Date(c.sourceTs * 1000) });
const fetchCurrent = async (externalId: string): Promise<ExternalState | null> => EVENTS.find((e) => e.externalId === externalId)?.state ?? null;

async function oneByOne(changes: ExternalChange[]): Promise<void> {
  for (const change of changes) {
    await applyOutsideLocks(orm, fetchCurrent, async (tx, current) => {
      const outcome = await applyExternalChange(tx, change, current);
      await recordInboundOutcome(tx, audit(change), outcome);
    });
  }
}

/** Every row the apply writes, without what differs by nature (uuids, wall-clock times). */
async function snapshot() {
  return {
    customers: await query('select id, name, email, phone, address, version, deleted_at is not null as deleted from customers order by id'),
    mappings: await query('select internal_id, external_id, last_synced_hash, last_synced_state, last_source_ts from external_mappings order by id'),
    processed: await query('select external_system, event_id from processed_events order by event_id'),
    outbox: await query(
      `select aggregate_id, event_type, origin, envelope->>'type' as type, envelope->>'idempotency_key' as key, envelope->>'origin' as env_origin,
              envelope->>'trace_id' as trace, envelope->'payload' as payload, (envelope->>'occurred_at')::timestamptz = c.updated_at as occurred_is_update
         from outbox o join customers c on c.id = o.aggregate_id order by aggregate_id, o.id`,
    ),
    audit: await query(
      `select event_type, entity_type, entity_id, external_system, status, payload, error_message, retry_count, processed_at is not null as processed, direction, trace_id, actor,
              extract(epoch from source_at)::bigint as source_ts
         from sync_events order by payload->>'event_id'`,
    ),
  };
}

describe('applyUpdateBatch', () => {
  it('applies the common updates together and leaves every other case to the one-by-one path, ending in the same rows', async () => {
    await seed();
    await oneByOne(EVENTS);
    const expected = await snapshot();
    // Who made each change: the system it came from, on every audit row of either path.
    expect(new Set(expected.audit.map((r) => r.actor))).toEqual(new Set([SYSTEM]));
    // When the source made each change (time-to-sync), on every row of either path.
    expect(expected.audit.map((r) => Number(r.source_ts))).toEqual(expected.audit.map((r) => EVENTS.find((e) => e.eventId === (r.payload as { event_id: string }).event_id)!.sourceTs));

    await seed();
    const batch: BatchChange[] = EVENTS.map((change) => ({ change, audit: audit(change) }));
    const outcomes = await orm.em.fork().transactional((tx) => applyUpdateBatch(tx, TARGET, batch));
    expect([...outcomes].map(([i, o]) => [EVENTS[i]!.eventId, o])).toEqual<Array<[string, InboundOutcome]>>([
      ['evt_1', { status: 'success', action: 'updated', customerId: 1 }],
      ['evt_2', { status: 'skipped', reason: 'already equal (echo)', customerId: 2 }],
      ['evt_9', { status: 'success', action: 'updated', customerId: 9 }],
    ]);
    await oneByOne(EVENTS.filter((_, i) => !outcomes.has(i)));
    expect(await snapshot()).toEqual(expected);
    // What both paths wrote, phone and address included (equal rows alone would not show them moving).
    expect(await query('select id, phone, address from customers where id in (1, 9) order by id')).toEqual([
      { id: 1, phone: '555 0101', address: null },
      { id: 9, phone: null, address: { ...ADDRESS, line2: 'Flat 2' } },
    ]);
    expect(await query("select last_synced_state from external_mappings where external_id = 'cus_9'")).toEqual([
      { last_synced_state: { name: 'Nine Renamed', email: 'c9@x.io', phone: null, address: { ...ADDRESS, line2: 'Flat 2' } } },
    ]);
    expect(await query("select envelope->'payload'->'snapshot' as snapshot from outbox where aggregate_id = 1")).toEqual([
      { snapshot: { name: 'Renamed One', email: 'new1@x.io', phone: '555 0101', address: null, deleted: false } },
    ]);
  });

  it('writes nothing when nothing qualifies, and refuses two events of one record', async () => {
    await seed();
    const stale = [{ change: event(3, T0 - 5, state('Stale', 'c3@x.io')), audit: audit(event(3, 0, null)) }];
    expect((await orm.em.fork().transactional((tx) => applyUpdateBatch(tx, TARGET, stale))).size).toBe(0);
    expect(await query('select count(*)::int as n from processed_events')).toEqual([{ n: 1 }]);
    const twice = [event(1, T0 + 5, state('A', 'a@x.io')), { ...event(1, T0 + 6, state('B', 'b@x.io')), eventId: 'evt_1b' }].map((change) => ({ change, audit: audit(change) }));
    await expect(orm.em.fork().transactional((tx) => applyUpdateBatch(tx, TARGET, twice))).rejects.toThrow('one event per record');
  });
});

/** Records new to us first (the batch's), then every case it must leave to the one-by-one path. */
const NEW_RECORDS: ExternalChange[] = [
  event(101, T0 + 5, state('New A', 'a@new.io', { phone: '+1 555 0199' }), 'created', 'cus_101'), // new → batch
  event(102, T0 + 6, state('New B', 'B@new.io', { address: ADDRESS }), 'updated', 'cus_102'), // an update of a record new to us → batch
  event(1, T0 + 5, state('Renamed One', 'c1@x.io')), // linked already → one by one (or the update batch)
  event(103, T0 + 5, state('Linker', 'c13@x.io'), 'created', 'cus_103'), // email of an unlinked customer of ours → links, one by one
  event(104, T0 + 5, state('Ours', 'c2@x.io', { internalId: 2 }), 'created', 'cus_104'), // carries our id → one by one
  { ...event(108, T0 + 5, state('Again', 'again@new.io'), 'created', 'cus_108'), eventId: 'evt_8' }, // applied before → one by one
  event(106, T0 + 5, state('Twin', 'twin@new.io'), 'created', 'cus_106'), // two new records, one email → both one by one
  event(107, T0 + 5, state('Twin Too', 'twin@new.io'), 'created', 'cus_107'),
  event(109, T0 + 5, null, 'deleted', 'cus_109'), // a delete of a record we never had → one by one
];

describe('applyCreateBatch', () => {
  it('creates the records new to us together and leaves every other case to the one-by-one path, ending in the same rows', async () => {
    await seed();
    await oneByOne(NEW_RECORDS);
    const expected = await snapshot();
    expect(expected.customers.filter((c) => Number(c.id) > 13).map((c) => c.email)).toEqual(['a@new.io', 'b@new.io', 'twin@new.io']);

    await seed();
    const batch: BatchChange[] = NEW_RECORDS.map((change) => ({ change, audit: audit(change) }));
    const outcomes = await orm.em.fork().transactional((tx) => applyCreateBatch(tx, TARGET, batch));
    expect([...outcomes].map(([i, o]) => [NEW_RECORDS[i]!.eventId, o])).toEqual<Array<[string, InboundOutcome]>>([
      ['evt_101', { status: 'success', action: 'created', customerId: 14 }],
      ['evt_102', { status: 'success', action: 'created', customerId: 15 }],
    ]);
    await oneByOne(NEW_RECORDS.filter((_, i) => !outcomes.has(i)));
    expect(await snapshot()).toEqual(expected);
  });

  it('leaves a record whose email another writer took since the wave was read, writing nothing for it', async () => {
    await seed();
    const batch = [event(101, T0 + 5, state('New A', 'a@new.io'), 'created', 'cus_101')].map((change) => ({ change, audit: audit(change) }));
    await expect(
      orm.em.fork().transactional(async (tx) => {
        // Committed by another connection before the statement: it sees the email as ours and leaves the record.
        await query("insert into customers (name, email) values ('Racer', 'a@new.io')");
        return applyCreateBatch(tx, TARGET, batch);
      }),
    ).resolves.toEqual(new Map());
    expect(await query("select count(*)::int as n from customers where email = 'a@new.io'")).toEqual([{ n: 1 }]);
    expect(await query("select count(*)::int as n from processed_events where event_id = 'evt_101'")).toEqual([{ n: 0 }]);
  });
});
