import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Runs SQL in the entity manager's current transaction (if any). Placeholders are `?`.
 * Used where a single explicit statement beats the unit of work: upserts, locks, counters.
 */
export async function sql<T = Record<string, unknown>>(em: EntityManager, text: string, params: unknown[] = []): Promise<T[]> {
  return (await em.getConnection().execute(text, params as never[], 'all', em.getTransactionContext())) as T[];
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
