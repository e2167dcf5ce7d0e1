import type { MikroORM } from '@mikro-orm/postgresql';

export interface PoolStats {
  inUse: number;
  waiting: number;
  max: number;
}

interface TarnPool {
  numUsed(): number;
  numPendingAcquires(): number;
  max: number;
}

/**
 * The connection pool's state, from knex's tarn pool under MikroORM. Reading it costs a few
 * property reads, so it can be done at every scrape. Before the pool exists everything is 0.
 */
export function poolStats(orm: MikroORM): PoolStats {
  const pool = (orm.em.getConnection().getKnex().client as { pool?: TarnPool }).pool;
  if (!pool) return { inUse: 0, waiting: 0, max: 0 };
  return { inUse: pool.numUsed(), waiting: pool.numPendingAcquires(), max: pool.max };
}
