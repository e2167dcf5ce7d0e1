import { query, seedLinkedAda } from '../../../../test/support/db';
import { stateHash } from '../customer-rules';
import { applyExternalChange } from '../inbound/apply-external-change';
import { applyOutsideLocks } from '../inbound/apply-outside-locks';
import type { ExternalChange } from '../inbound/types';
import { openOrm, type MikroORM } from '../orm';
import { pruneProcessedEvents } from './processed-events';

let orm: MikroORM;
beforeAll(async () => {
  orm = await openOrm({ databaseUrl: process.env.DATABASE_URL!, poolMax: 3 });
});
afterAll(() => orm.close());

const T0 = 1_800_000_000;
const NOW = new Date('2027-03-01T12:00:00.000Z');
const WINDOW_DAYS = 30;
const at = (msFromCutoff: number) => new Date(NOW.getTime() - WINDOW_DAYS * 86_400_000 + msFromCutoff);

/** A Stripe update of cus_1 newer than anything applied: applied, unless its id was seen. */
const update = (eventId: string, sourceTs: number): ExternalChange => ({
  system: 'stripe',
  objectType: 'customer',
  eventId,
  kind: 'updated',
  externalId: 'cus_1',
  sourceTs,
  state: { name: `Name from ${eventId}`, email: 'ada@x.io', phone: null, address: null, internalId: 1, deleted: false },
  traceId: null,
});
const apply = (change: ExternalChange) => applyOutsideLocks(orm, async () => null, (tx, known) => applyExternalChange(tx, change, known));

describe('pruning processed_events past the dedupe window', () => {
  beforeEach(() => seedLinkedAda(stateHash({ name: 'Ada', email: 'ada@x.io' }), T0));

  it('removes only the ids older than the window: one just inside is still a duplicate, applied once', async () => {
    await query(
      `insert into processed_events (external_system, event_id, processed_at) values
         ('stripe', 'evt_outside', $1), ('stripe', 'evt_at_cutoff', $2), ('stripe', 'evt_inside', $3), ('salesforce', 'evt_sf_outside', $1)`,
      [at(-1), at(0), at(1)],
    );

    expect(await pruneProcessedEvents(orm.em.fork(), WINDOW_DAYS, { now: NOW })).toBe(2);
    expect(await query('select external_system, event_id from processed_events order by event_id')).toEqual([
      { external_system: 'stripe', event_id: 'evt_at_cutoff' },
      { external_system: 'stripe', event_id: 'evt_inside' },
    ]);

    // Stripe redelivers the event inside the window: skipped, the customer unchanged.
    expect(await apply(update('evt_inside', T0 + 10))).toMatchObject({ status: 'skipped', reason: 'duplicate event' });
    expect(await query('select name, version from customers')).toEqual([{ name: 'Ada', version: 1 }]);
    // One whose id was pruned is no duplicate any more (past every system's redelivery window, only a catch-up could bring it).
    expect(await apply(update('evt_outside', T0 + 20))).toMatchObject({ status: 'success' });
    expect(await query('select name, version from customers')).toEqual([{ name: 'Name from evt_outside', version: 2 }]);
  });

  it('deletes in batches until none is left past the window, and finds nothing the second time', async () => {
    await query(`insert into processed_events (external_system, event_id, processed_at) select 'stripe', 'evt_' || g, $1 from generate_series(1, 25) g`, [at(-60_000)]);
    await query(`insert into processed_events (external_system, event_id, processed_at) values ('stripe', 'evt_new', $1)`, [at(60_000)]);
    expect(await pruneProcessedEvents(orm.em.fork(), WINDOW_DAYS, { now: NOW, batch: 10 })).toBe(25);
    expect(await pruneProcessedEvents(orm.em.fork(), WINDOW_DAYS, { now: NOW, batch: 10 })).toBe(0);
    expect(await query('select event_id from processed_events')).toEqual([{ event_id: 'evt_new' }]);
  });
});
