import type { EntityManager, Knex } from '@mikro-orm/postgresql';

/**
 * Runs SQL in the entity manager's current transaction (if any). Placeholders are `?`.
 * Used where a single explicit statement beats the unit of work: upserts, locks, counters.
 */
export async function sql<T = Record<string, unknown>>(em: EntityManager, text: string, params: unknown[] = []): Promise<T[]> {
  return (await em.getConnection().execute(text, params as never[], 'all', em.getTransactionContext())) as T[];
}

/**
 * sql() with the values sent as bind parameters, in the entity manager's current transaction (if
 * any). For statements that carry a whole wave as one JSON parameter: execute() inlines it, so pg
 * escapes it character by character in JS (`escapeLiteral`, ~7 % of the inbound worker's CPU under
 * the webhook benchmark) and Postgres parses the literal out of the text again; knex's raw() sends it
 * untouched. Placeholders are `?` as in sql(); the values must be scalars (arrays are not expanded
 * into lists as execute() does).
 */
export async function bound<T = Record<string, unknown>>(em: EntityManager, text: string, params: Array<string | number | boolean | null>): Promise<T[]> {
  const knex = (em.getTransactionContext<Knex.Transaction>() ?? em.getConnection().getKnex()) as Knex;
  return ((await knex.raw(text, params)) as { rows: T[] }).rows;
}

interface PoolClient {
  acquireConnection(): Promise<{ query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }> }>;
  releaseConnection(connection: unknown): Promise<void>;
}

/**
 * One statement on its own (no transaction) as a named prepared statement, on a connection of
 * the ORM's pool. For the API's hot paths: `execute` above inlines every parameter into the text
 * (MikroORM's formatQuery), so Postgres parses and plans each call anew and the API escapes each
 * value; here the text is parsed once per connection and the values travel as bind parameters.
 * Placeholders are `$1`…; `name` must be unique to `text`. The global entity manager is enough:
 * nothing is tracked, so no fork is needed.
 */
export async function prepared<T = Record<string, unknown>>(em: EntityManager, name: string, text: string, params: unknown[]): Promise<T[]> {
  const client = em.getConnection().getKnex().client as PoolClient;
  const connection = await client.acquireConnection();
  try {
    return (await connection.query({ name, text, values: params })).rows as T[];
  } finally {
    await client.releaseConnection(connection);
  }
}
