import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Runs SQL in the entity manager's current transaction (if any). Placeholders are `?`.
 * Used where a single explicit statement beats the unit of work: upserts, locks, counters.
 */
export async function sql<T = Record<string, unknown>>(em: EntityManager, text: string, params: unknown[] = []): Promise<T[]> {
  return (await em.getConnection().execute(text, params as never[], 'all', em.getTransactionContext())) as T[];
}
