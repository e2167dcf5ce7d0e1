/**
 * Per-field merging (design.md §6) against real Postgres: a change of ours Stripe has not
 * confirmed meets a Stripe event about the same customer.
 */
import { query, resetDatabase } from '../../../../test/support/db';
import { stateHash, type SyncedField, type SyncedState } from '../customer-rules';
import { openOrm, type MikroORM } from '../orm';
import { applyExternalChange } from './apply-external-change';
import { applyOutsideLocks } from './apply-outside-locks';
import { recordInboundOutcome } from './audit';
import type { ExternalChange, ExternalState, InboundOutcome } from './types';

let orm: MikroORM;
beforeAll(async () => {
  orm = await openOrm({ databaseUrl: process.env.DATABASE_URL!, poolMax: 3 });
});
afterAll(() => orm.close());

const T0 = 1_800_000_000;
/** What Stripe and we agreed on at T0. */
const BASE: SyncedState = { name: 'Ada', email: 'ada@x.io', phone: '111', address: null };

/**
 * Customer 1 linked to cus_1 as synced at T0 (`keepState` false: a mapping from before the state
 * was kept), then edited here at `oursAt` (seconds) to `ours`: a change Stripe has not confirmed.
 */
async function seed(ours: Partial<SyncedState>, oursAt: number, keepState = true): Promise<void> {
  await resetDatabase();
  const now = { ...BASE, ...ours };
  await query('insert into customers (name, email, phone, address, version, updated_at) values ($1, $2, $3, $4, 2, $5)', [now.name, now.email, now.phone, now.address, new Date(oursAt * 1000)]);
  await query('insert into external_mappings (internal_id, external_system, external_id, last_synced_hash, last_synced_state, last_source_ts) values (1, $1, $2, $3, $4, $5)', [
    'stripe',
    'cus_1',
    stateHash(BASE),
    keepState ? JSON.stringify(BASE) : null,
    T0,
  ]);
}

const stripeState = (s: Partial<SyncedState>): ExternalState => ({ ...BASE, ...s, internalId: 1, deleted: false });
const updated = (at: number, theirs: Partial<SyncedState>, changedFields?: SyncedField[], id = 'evt_1'): ExternalChange => ({
  system: 'stripe',
  objectType: 'customer',
  eventId: id,
  kind: 'updated',
  externalId: 'cus_1',
  sourceTs: at,
  state: stripeState(theirs),
  traceId: null,
  changedFields,
});

/** Applies one event as the inbound worker does: rules, then its audit row, in one transaction; `current` answers a same-second tie. */
async function apply(change: ExternalChange, current: ExternalState | null = null): Promise<InboundOutcome> {
  return applyOutsideLocks(orm, async () => current, async (tx, known) => {
    const outcome = await applyExternalChange(tx, change, known);
    await recordInboundOutcome(tx, { system: 'stripe', eventType: 'customer.updated', traceId: null, payload: { event_id: change.eventId } }, outcome);
    return outcome;
  });
}

const customer = async () => (await query('select name, email, phone, address from customers'))[0];
const auditRows = () => query<{ status: string; payload: Record<string, unknown> }>('select status, payload from sync_events order by id');
const mapping = async () => (await query('select last_synced_hash, last_synced_state, last_source_ts from external_mappings'))[0];
const outbox = () => query<{ origin: string }>(`select origin, envelope->'payload'->'snapshot' as snapshot from outbox order by id`);

describe('merging a Stripe change with an unconfirmed change of ours, field by field', () => {
  it('Stripe edits the phone while we edit the name: both survive, no conflict', async () => {
    await seed({ name: 'Ada Ours' }, T0 + 30);
    const outcome = await apply(updated(T0 + 10, { phone: '222' }, ['phone']));

    expect(outcome).toMatchObject({ status: 'success', action: 'updated' });
    expect(await customer()).toEqual({ name: 'Ada Ours', email: 'ada@x.io', phone: '222', address: null });
    expect((await auditRows()).map((r) => r.status)).toEqual(['success']);
    // The mapping records what Stripe holds now; our name still differs from it, so it is pushed,
    // and the outbox row is ours (origin internal) so that Stripe, too, is sent the merged state.
    const theirs = { ...BASE, phone: '222' };
    expect(await mapping()).toEqual({ last_synced_hash: stateHash(theirs), last_synced_state: theirs, last_source_ts: String(T0 + 10) });
    expect(await outbox()).toEqual([{ origin: 'internal', snapshot: { name: 'Ada Ours', email: 'ada@x.io', phone: '222', address: null, deleted: false } }]);
  });

  it('without changedFields, every field that differs from the synced state counts as changed there', async () => {
    await seed({ name: 'Ada Ours' }, T0 + 30);
    const address = { line1: '1 Main St', line2: null, city: 'Leeds', state: null, postal_code: null, country: 'GB' };
    await apply(updated(T0 + 10, { address }));
    expect(await customer()).toEqual({ name: 'Ada Ours', email: 'ada@x.io', phone: '111', address });
    expect((await auditRows()).map((r) => r.status)).toEqual(['success']);
  });

  it('a field changed only here is kept even when Stripe sends another value it did not change', async () => {
    await seed({ phone: '999' }, T0 + 30);
    // Stripe says only the name changed; its phone is still the old one: ours stands.
    await apply(updated(T0 + 10, { name: 'Ada Theirs' }, ['name']));
    expect(await customer()).toEqual({ name: 'Ada Theirs', email: 'ada@x.io', phone: '999', address: null });
    expect((await auditRows()).map((r) => r.status)).toEqual(['success']);
  });

  it("both edit the name and ours is newer: ours is kept, Stripe's phone edit is taken, and a conflict row names both names", async () => {
    await seed({ name: 'Ada Ours' }, T0 + 30);
    const outcome = await apply(updated(T0 + 10, { name: 'Ada Theirs', phone: '222' }, ['name', 'phone']));

    expect(outcome).toMatchObject({ status: 'conflict', park: false });
    expect(await customer()).toEqual({ name: 'Ada Ours', email: 'ada@x.io', phone: '222', address: null });
    const [row] = await auditRows();
    expect(row).toMatchObject({ status: 'conflict', payload: { ours: { name: 'Ada Ours' }, theirs: { name: 'Ada Theirs' } } });
    expect(String(row!.payload.reason)).toMatch(/^changed on both sides \(name\): ours is newer/);
  });

  it('both edit the name and Stripe is newer: theirs is taken, our phone edit is kept, and the conflict is recorded', async () => {
    await seed({ name: 'Ada Ours', phone: '333' }, T0 + 5);
    await apply(updated(T0 + 10, { name: 'Ada Theirs' }, ['name']));
    expect(await customer()).toEqual({ name: 'Ada Theirs', email: 'ada@x.io', phone: '333', address: null });
    expect(await auditRows()).toEqual([
      { status: 'conflict', payload: expect.objectContaining({ ours: { name: 'Ada Ours' }, theirs: { name: 'Ada Theirs' }, reason: expect.stringContaining("stripe's is newer") }) },
    ]);
  });

  it("both edit the name within one second: Stripe's current state decides that field, read outside the transaction", async () => {
    await seed({ name: 'Ada Ours', phone: '333' }, T0 + 10);
    // The current state also holds a newer value of a field the event changed only there: that one is taken too.
    const address = { line1: null, line2: null, city: 'York', state: null, postal_code: null, country: 'GB' };
    await apply(updated(T0 + 10, { name: 'Ada Theirs', address: { ...address, city: 'Leeds' } }, ['name', 'address']), stripeState({ name: 'Ada Current', address }));
    expect(await customer()).toEqual({ name: 'Ada Current', email: 'ada@x.io', phone: '333', address });
    const [row] = await auditRows();
    expect(row).toMatchObject({ status: 'conflict', payload: { ours: { name: 'Ada Ours' }, theirs: { name: 'Ada Theirs' } } });
    expect(await mapping()).toMatchObject({ last_synced_state: { ...BASE, name: 'Ada Current', address } });
  });

  it('both set the same value: no conflict, nothing to write', async () => {
    await seed({ name: 'Same', phone: '444' }, T0 + 30);
    const outcome = await apply(updated(T0 + 10, { name: 'Same' }, ['name']));
    expect(outcome).toMatchObject({ status: 'skipped', reason: 'kept ours (changed only here: phone)' });
    expect(await customer()).toMatchObject({ name: 'Same', phone: '444' });
    expect(await outbox()).toEqual([]);
  });
});

describe('a mapping from before the synced state was kept: the whole-record rule of before', () => {
  it("ours is newer: all of ours is kept, Stripe's phone edit too is not taken", async () => {
    await seed({ name: 'Ada Ours' }, T0 + 30, false);
    const outcome = await apply(updated(T0 + 10, { phone: '222' }, ['phone']));
    expect(outcome).toMatchObject({ status: 'conflict', reason: 'ours is newer: kept ours, it will be sent' });
    expect(await customer()).toEqual({ name: 'Ada Ours', email: 'ada@x.io', phone: '111', address: null });
  });

  it('Stripe is newer: its whole record is taken, our name edit is lost', async () => {
    await seed({ name: 'Ada Ours' }, T0 + 5, false);
    const outcome = await apply(updated(T0 + 10, { phone: '222' }, ['phone']));
    expect(outcome).toMatchObject({ status: 'success', action: 'updated' });
    expect(await customer()).toEqual({ name: 'Ada', email: 'ada@x.io', phone: '222', address: null });
    // From now on the mapping keeps the state, so the next concurrent edit merges per field.
    expect(await mapping()).toMatchObject({ last_synced_state: { ...BASE, phone: '222' } });
  });
});

describe('a field the system is only sent (field map direction `to`)', () => {
  it('its value there is ignored: the other fields are taken, ours stays, nothing bounces back', async () => {
    await seed({}, T0);
    const outcome = await apply({ ...updated(T0 + 10, { name: 'Ada Theirs', phone: '222' }, ['name', 'phone']), keepOurs: ['phone'] });
    expect(outcome).toMatchObject({ status: 'success', action: 'updated' });
    expect(await customer()).toEqual({ name: 'Ada Theirs', email: 'ada@x.io', phone: '111', address: null });
    expect(await outbox()).toEqual([{ origin: 'stripe', snapshot: { name: 'Ada Theirs', email: 'ada@x.io', phone: '111', address: null, deleted: false } }]);
  });

  it('a change of only that field changes nothing here', async () => {
    await seed({}, T0);
    const outcome = await apply({ ...updated(T0 + 10, { phone: '222' }, ['phone']), keepOurs: ['phone'] });
    expect(outcome).toMatchObject({ status: 'skipped' });
    expect(await customer()).toMatchObject({ phone: '111' });
    expect(await outbox()).toEqual([]);
  });
});

describe('a same-second event that brings nothing new', () => {
  it('is skipped without reading the source (a catch-up re-reading what the stream delivered)', async () => {
    await seed({}, T0);
    let reads = 0;
    const outcome = await applyOutsideLocks(orm, async () => (reads++, null), async (tx, known) => applyExternalChange(tx, updated(T0, {}, undefined, 'evt_again'), known));
    expect(outcome).toMatchObject({ status: 'skipped', reason: 'already synced' });
    expect(reads).toBe(0);
  });
});
