import type { MikroORM } from '@cs/domain';

interface LockClient {
  query(text: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}
interface KnexClient {
  acquireConnection(): Promise<LockClient>;
  releaseConnection(c: LockClient): Promise<void>;
}

/**
 * Runs `work` while holding a session advisory lock named `name` on a connection of its own, so
 * that `work` may commit as many transactions as it likes on the pool while no other instance runs
 * it; a dead holder's lock goes with its session. Returns false, without running `work`, when
 * another instance holds the lock.
 */
export async function whileHoldingLock(orm: MikroORM, name: string, work: () => Promise<void>): Promise<boolean> {
  const knex = orm.em.getConnection().getKnex().client as unknown as KnexClient;
  const conn = await knex.acquireConnection();
  try {
    const { rows } = await conn.query('select pg_try_advisory_lock(hashtext($1)) as ok', [name]);
    if (rows[0]?.ok !== true) return false;
    try {
      await work();
    } finally {
      await conn.query('select pg_advisory_unlock(hashtext($1))', [name]).catch(() => undefined);
    }
    return true;
  } finally {
    await knex.releaseConnection(conn);
  }
}
