import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type { QueryConnection, StatisticsGate } from './plan-statistics';

/**
 * Runs SQL in the entity manager's current transaction (if any). Placeholders are `?`.
 * Used where a single explicit statement beats the unit of work: upserts, locks, counters.
 */
export async function sql<T = Record<string, unknown>>(em: EntityManager, text: string, params: unknown[] = []): Promise<T[]> {
  return (await em.getConnection().execute(text, params as never[], 'all', em.getTransactionContext())) as T[];
}

/**
 * sql() for the statements that carry a whole wave as one JSON parameter, as a named prepared
 * statement in the entity manager's current transaction. execute() inlines every value: each
 * wave's JSON was escaped character by character in JS (pg's `escapeLiteral`, ~7 % of the inbound
 * worker's CPU under the webhook benchmark), parsed out of the text again by Postgres, and the
 * statement planned anew for every wave (~0.3 ms for the lock statement on a warm
 * connection, by hand with EXPLAIN (SUMMARY); more for the apply).
 * Prepared, the text is parsed once per connection, the plan is kept (the JSON's row count is
 * not known to the planner either way), and the values travel as bind parameters. Placeholders
 * are `?` as in sql(), turned into `$1`… once per text; values must be scalars (execute() would
 * expand an array into a list). The statement stays unnamed (planned each time) until the
 * `gate`'s tables have statistics: see StatisticsGate.
 */
export async function bound<T = Record<string, unknown>>(em: EntityManager, text: string, params: Array<string | number | boolean | null>, gate: StatisticsGate): Promise<T[]> {
  let statement = numbered.get(text);
  if (!statement) {
    let n = 0;
    statement = { name: `bound-${numbered.size + 1}`, text: text.replace(/\?/g, () => `$${++n}`) };
    numbered.set(text, statement);
  }
  const client = ((em.getTransactionContext<Knex.Transaction>() ?? em.getConnection().getKnex()) as Knex).client as PoolClient;
  const named = statement;
  return run<T>(client, async (connection) => ((await gate.allowsCachedPlan(connection)) ? named : { text: named.text }), params);
}
const numbered = new Map<string, { name: string; text: string }>();

interface PoolClient {
  acquireConnection(): Promise<QueryConnection>;
  releaseConnection(connection: unknown): Promise<void>;
}

/**
 * One statement on its own (no transaction) as a named prepared statement, on a connection of
 * the ORM's pool. For the API's hot paths: `execute` above inlines every parameter into
 * the text (MikroORM's formatQuery), so Postgres parses and plans each call anew and the caller
 * escapes each value; here the text is parsed once per connection and the values travel as bind
 * parameters. Placeholders are `$1`…; `name` must be unique to `text`. The global entity manager
 * is enough: nothing is tracked, so no fork is needed.
 */
export async function prepared<T = Record<string, unknown>>(em: EntityManager, name: string, text: string, params: unknown[]): Promise<T[]> {
  return run<T>(em.getConnection().getKnex().client as PoolClient, () => ({ name, text }), params);
}

/** A knex client's connection: a transaction's client hands out the transaction's own and releases nothing. */
async function run<T>(client: PoolClient, statement: (connection: QueryConnection) => { name?: string; text: string } | Promise<{ name?: string; text: string }>, params: unknown[]): Promise<T[]> {
  const connection = await client.acquireConnection();
  try {
    return (await connection.query({ ...(await statement(connection)), values: params })).rows as T[];
  } finally {
    await client.releaseConnection(connection);
  }
}
