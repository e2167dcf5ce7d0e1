import { Client } from 'pg';
import { openOrm, type MikroORM } from '@cs/domain';
import { createLogger, retentionLastRun, retentionRemoved } from '@cs/platform';
import { query, resetDatabase } from '../../../test/support/db';
import { startRetention } from './retention-schedule';

let orm: MikroORM;
beforeAll(async () => {
  orm = await openOrm({ databaseUrl: process.env.DATABASE_URL!, poolMax: 3 });
});
afterAll(() => orm.close());
beforeEach(async () => {
  await resetDatabase();
  await query(`insert into processed_events (external_system, event_id, processed_at) values ('stripe', 'evt_old', now() - interval '31 days'), ('stripe', 'evt_new', now() - interval '29 days')`);
});

const SETTINGS = { processedEventsDays: 30, syncEventsDays: 90, partitionsAhead: 2 };
const logger = createLogger({ name: 'retention-test', level: 'silent' });
const removed = async (table: string) => (await retentionRemoved().get()).values.find((v) => v.labels.table === table)?.value ?? 0;
const lastRun = async () => (await retentionLastRun().get()).values[0]?.value;

describe("the inbound worker's retention schedule", () => {
  it('runs a pass as it starts, and counts what it removed and when it finished', async () => {
    const before = await removed('processed_events');
    const startedAt = Date.now() / 1000;
    // stop() waits for the pass under way: the first one starts with the schedule.
    await startRetention({ orm, logger }, SETTINGS, 3_600_000).stop();
    expect(await query('select event_id from processed_events')).toEqual([{ event_id: 'evt_new' }]);
    expect((await removed('processed_events')) - before).toBe(1);
    expect(await lastRun()).toBeGreaterThanOrEqual(Math.floor(startedAt));
  });

  it('leaves the pass to the instance holding the job: this one removes and counts nothing', async () => {
    const leader = new Client({ connectionString: process.env.DATABASE_URL });
    await leader.connect();
    try {
      await leader.query(`select pg_advisory_lock(hashtext('retention'))`);
      const before = await removed('processed_events');
      await startRetention({ orm, logger }, SETTINGS, 3_600_000).stop();
      expect(await query('select event_id from processed_events order by event_id')).toEqual([{ event_id: 'evt_new' }, { event_id: 'evt_old' }]);
      expect(await removed('processed_events')).toBe(before);
    } finally {
      await leader.end();
    }
  });

  it('is off with an interval of 0', async () => {
    await startRetention({ orm, logger }, SETTINGS, 0).stop();
    expect(await query('select count(*)::int as n from processed_events')).toEqual([{ n: 2 }]);
  });
});
