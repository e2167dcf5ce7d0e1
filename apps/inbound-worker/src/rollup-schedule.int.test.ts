import { openOrm, rowCounts, type MikroORM } from '@cs/domain';
import { createLogger } from '@cs/platform';
import { query, resetDatabase } from '../../../test/support/db';
import { startRollups } from './rollup-schedule';

let orm: MikroORM;
beforeAll(async () => {
  orm = await openOrm({ databaseUrl: process.env.DATABASE_URL!, poolMax: 3 });
});
afterAll(() => orm.close());
beforeEach(() => resetDatabase());

const logger = createLogger({ name: 'rollups-test', level: 'silent' });
const deltas = async () =>
  (await query<{ n: number }>(`select (select count(*) from sync_event_rollup_deltas) + (select count(*) from row_count_deltas) as n`))[0]!.n;

describe("the inbound worker's rollup schedule", () => {
  it('folds the deltas as it starts and again every interval, the counts unchanged by it', async () => {
    await query(`insert into customers (name, email) values ('Ada', 'ada@x.io'), ('Grace', 'grace@x.io')`);
    await query(`insert into sync_events (event_id, event_type, entity_type, entity_id, external_system, status, direction) values (gen_random_uuid(), 'customer.created', 'customer', 1, 'stripe', 'success', 'outbound')`);
    expect(Number(await deltas())).toBe(2);
    const schedule = startRollups({ orm, logger }, 50);
    try {
      await waitFor(async () => Number(await deltas()) === 0);
      await query(`insert into customers (name, email) values ('Linus', 'linus@x.io')`);
      await waitFor(async () => Number(await deltas()) === 0);
    } finally {
      await schedule.stop();
    }
    expect((await rowCounts(orm.em.fork())).get('customers:live')).toBe(3);
    expect(await query(`select width, syncs::int from sync_event_rollups order by width`)).toEqual([60, 300, 900, 3600, 21600, 86400].map((width) => ({ width, syncs: 1 })));
  });

  it('does nothing when turned off (0)', async () => {
    await query(`insert into customers (name, email) values ('Ada', 'ada@x.io')`);
    await startRollups({ orm, logger }, 0).stop();
    expect(Number(await deltas())).toBe(1);
  });
});

async function waitFor(ok: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > until) throw new Error('timed out waiting for the fold');
    await new Promise((r) => setTimeout(r, 25));
  }
}
