import { openOrm, type MikroORM } from '@cs/domain';
import type { ChangeFeed, Integration, NeutralChange } from '@cs/integrations';
import type { ExternalChangeInput } from '@cs/kafka-schemas';
import { createLogger } from '@cs/platform';
import { query, resetDatabase } from '../../../test/support/db';
import { CatchUpPoller } from './catch-up';
import { readCursor, writeCursor } from './cursors';

let orm: MikroORM;
beforeAll(async () => {
  orm = await openOrm({ databaseUrl: process.env.DATABASE_URL!, poolMax: 2 });
});
afterAll(() => orm.close());
beforeEach(() => resetDatabase());

const change: NeutralChange = {
  action: 'upsert',
  kind: 'updated',
  entityType: 'customer',
  objectType: 'customer',
  externalId: 'cus_1',
  eventId: 'evt_1',
  eventType: 'customer.updated',
  sourceTs: 1_800_000_000,
  customer: { externalId: 'cus_1', internalId: null, name: 'Ada', email: 'ada@x.io', phone: null, address: null, deleted: false, createdTs: 1 },
};

/** A system whose feed records the cursors it is asked from and answers with one change. */
function withFeed(onGap = false) {
  const asked: Array<string | null> = [];
  const feed: ChangeFeed = {
    poll: async (cursor) => {
      asked.push(cursor);
      return { changes: [change], cursor: `after-${asked.length}`, ...(onGap ? { gap: true } : {}) };
    },
  };
  return { asked, integration: { system: 'stripe', objectType: 'customer', feed } as unknown as Integration };
}

describe('CatchUpPoller', () => {
  it('feeds the changes, then persists the feed’s cursor and reads from it next time', async () => {
    const { asked, integration } = withFeed();
    const fed: ExternalChangeInput[] = [];
    const poller = new CatchUpPoller({ orm, integration, feed: async (c) => void fed.push(...c), logger: createLogger({ name: 't', level: 'silent' }) });
    expect(await poller.runOnce()).toEqual({ ran: true, changes: 1 });
    await poller.runOnce();
    expect(asked).toEqual([null, 'after-1']);
    expect(fed.map((c) => ({ id: c.eventId, via: c.via, state: c.state }))).toEqual([
      { id: 'evt_1', via: 'events_api', state: expect.objectContaining({ name: 'Ada' }) },
      { id: 'evt_1', via: 'events_api', state: expect.objectContaining({ name: 'Ada' }) },
    ]);
    expect(await readCursor(orm.em.fork(), 'catchup:stripe')).toBe('after-2');
  });

  it('resumes from a cursor stored before cursors were opaque (an object) as its JSON', async () => {
    await writeCursor(orm.em.fork(), 'catchup:stripe', { ts: 1_800_000_000, ids: ['evt_0'] });
    const { asked, integration } = withFeed();
    await new CatchUpPoller({ orm, integration, feed: async () => undefined, logger: createLogger({ name: 't', level: 'silent' }) }).runOnce();
    expect(asked).toEqual([JSON.stringify({ ts: 1_800_000_000, ids: ['evt_0'] })]);
  });

  it('runs a reconciliation when the feed says changes were lost, and keeps the cursor when feeding fails', async () => {
    const { integration } = withFeed(true);
    let reconciled = 0;
    const poller = new CatchUpPoller({
      orm,
      integration,
      feed: async () => {
        throw new Error('kafka down');
      },
      logger: createLogger({ name: 't', level: 'silent' }),
      onGap: async () => void reconciled++,
    });
    await expect(poller.runOnce()).rejects.toThrow('kafka down');
    expect(reconciled).toBe(1);
    // The feed's cursor did not move (the system's start point is recorded before the first poll).
    expect(await query(`select name from sync_cursors`)).toEqual([{ name: 'start:stripe' }]);
  });
});
