import { scratchDatabase } from '../../../test/support/db';
import { openOrm, type MikroORM } from './orm';
import { StatisticsGate, type QueryConnection } from './plan-statistics';
import { bound, sql } from './sql';

// A database of its own: the gate reads pg_stats, which other tests' tables (and their
// autovacuum) would change underneath it.
let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
let orm: MikroORM;
beforeAll(async () => {
  scratch = await scratchDatabase('plans');
  await scratch.db.query('create table plan_a (id int primary key, v text); create table plan_b (id int primary key)');
  // Autovacuum must not analyze behind the test's back.
  await scratch.db.query('alter table plan_a set (autovacuum_enabled = false); alter table plan_b set (autovacuum_enabled = false)');
  await scratch.db.query("insert into plan_a select g, 'v' || g from generate_series(1, 2000) g");
  orm = await openOrm({ databaseUrl: scratch.url, poolMax: 1 });
});
afterAll(async () => {
  await orm.close();
  await scratch.drop();
});

const TEXT = 'select v from plan_a where id = ? and exists (select 1 from plan_b)';
const NUMBERED = TEXT.replace('?', '$1');

/** Runs the statement through bound() and says whether that connection now holds it prepared. */
async function runAndSeePrepared(gate: StatisticsGate): Promise<boolean> {
  return orm.em.fork().transactional(async (em) => {
    await bound(em, TEXT, [5], gate);
    const rows = await sql<{ n: number }>(em, 'select count(*)::int as n from pg_prepared_statements where statement = ?', [NUMBERED]);
    return rows[0]!.n === 1;
  });
}

describe('StatisticsGate with bound()', () => {
  it('sends the statement unnamed while a table has no statistics, and named once all have', async () => {
    const gate = new StatisticsGate(['plan_a', 'plan_b'], 0);
    expect(await runAndSeePrepared(gate)).toBe(false);

    // plan_a analyzed, plan_b still empty and never analyzed: still no kept plan.
    await scratch.db.query('analyze plan_a');
    expect(await runAndSeePrepared(gate)).toBe(false);

    await scratch.db.query('insert into plan_b values (1); analyze plan_b');
    expect(await runAndSeePrepared(gate)).toBe(true);
    // Prepared once per connection: the next run finds it there and answers from it.
    expect(await runAndSeePrepared(gate)).toBe(true);
  });

  it('asks Postgres at most once per interval until the statistics are there, and never after', async () => {
    let asked = 0;
    const counting = (inner: QueryConnection): QueryConnection => ({
      query: (config) => {
        if (config.text.includes('pg_stats')) asked++;
        return inner.query(config);
      },
    });
    const client = new (await import('pg')).Client({ connectionString: scratch.url });
    await client.connect();
    try {
      const connection = counting(client as unknown as QueryConnection);
      const missing = new StatisticsGate(['plan_a', 'plan_never'], 60_000);
      expect(await missing.allowsCachedPlan(connection)).toBe(false);
      expect(await missing.allowsCachedPlan(connection)).toBe(false);
      expect(asked).toBe(1);

      const present = new StatisticsGate(['plan_a'], 0);
      expect(await present.allowsCachedPlan(connection)).toBe(true);
      expect(await present.allowsCachedPlan(connection)).toBe(true);
      expect(asked).toBe(2);
    } finally {
      await client.end();
    }
  });
});
