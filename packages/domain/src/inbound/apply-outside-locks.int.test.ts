import { Client } from 'pg';
import { query, seedLinkedAda } from '../../../../test/support/db';
import { stateHash } from '../customer-rules';
import { openOrm, type MikroORM } from '../orm';
import { applyExternalChange } from './apply-external-change';
import { applyOutsideLocks } from './apply-outside-locks';
import type { ExternalChange, ExternalState } from './types';

let orm: MikroORM;
beforeAll(async () => {
  orm = await openOrm({ databaseUrl: process.env.DATABASE_URL!, poolMax: 3 });
});
afterAll(() => orm.close());

const T0 = 1_800_000_000;

/** Whether another session can lock the customer's rows right now (NOWAIT: an error if someone holds them). */
async function rowsAreFree(customerId: number): Promise<boolean> {
  const other = new Client({ connectionString: process.env.DATABASE_URL });
  await other.connect();
  try {
    await other.query('begin');
    await other.query('select 1 from customers where id = $1 for update nowait', [customerId]);
    await other.query('select 1 from external_mappings where internal_id = $1 for update nowait', [customerId]);
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === '55P03') return false; // lock_not_available
    throw err;
  } finally {
    await other.query('rollback').catch(() => undefined);
    await other.end();
  }
}

describe('applyOutsideLocks', () => {
  beforeEach(() => seedLinkedAda(stateHash({ name: 'Ada', email: 'ada@x.io' }), T0));

  const tie: ExternalChange = {
    system: 'stripe',
    objectType: 'customer',
    eventId: 'evt_tie',
    kind: 'updated',
    externalId: 'cus_1',
    sourceTs: T0, // the same second as the last change applied: only the source's current state can order them
    state: { name: 'From The Event', email: 'ada@x.io', phone: null, address: null, internalId: null, deleted: false },
    traceId: null,
  };

  it('reads the current state of a same-second tie with no transaction holding the rows, then applies it', async () => {
    const free: boolean[] = [];
    const fetchCurrent = async (externalId: string): Promise<ExternalState> => {
      expect(externalId).toBe('cus_1');
      free.push(await rowsAreFree(1));
      return { name: 'Current At Stripe', email: 'ada@x.io', phone: null, address: null, internalId: null, deleted: false };
    };
    const outcome = await applyOutsideLocks(orm, fetchCurrent, (tx, current) => applyExternalChange(tx, tie, current));

    expect(free).toEqual([true]);
    expect(outcome).toMatchObject({ status: 'success', action: 'updated' });
    expect(await query('select name, version from customers')).toEqual([{ name: 'Current At Stripe', version: 2 }]);
    // The first, rolled-back try left nothing behind: one dedupe row, one outbox row.
    expect(await query('select event_id from processed_events')).toEqual([{ event_id: 'evt_tie' }]);
    expect(await query('select count(*)::int as n from outbox')).toEqual([{ n: 1 }]);
  });

  it('reads nothing when the rules do not need it', async () => {
    let reads = 0;
    const later = { ...tie, eventId: 'evt_later', sourceTs: T0 + 1 };
    await applyOutsideLocks(orm, async () => (reads++, null), (tx, current) => applyExternalChange(tx, later, current));
    expect(reads).toBe(0);
    expect(await query('select name from customers')).toEqual([{ name: 'From The Event' }]);
  });
});
