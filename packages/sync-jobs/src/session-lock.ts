import type { MikroORM } from '@cs/domain';

interface LockClient {
  query(text: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}
interface KnexClient {
  acquireConnection(): Promise<LockClient>;
  releaseConnection(c: LockClient): Promise<void>;
}

export interface HoldOptions {
  /** How often the holder checks that its lock's session is alive (a database restart ends it). */
  heartbeatMs?: number | undefined;
  /** Stops `work` (through its signal) from outside: the process is shutting down. */
  stop?: AbortSignal | undefined;
}

/**
 * Runs `work` while holding a session advisory lock named `name` on a connection of its own, so
 * that `work` may commit as many transactions as it likes on the pool while no other instance runs
 * it; false, without running `work`, when another instance holds the lock. The lock lives as long
 * as its database session: a restart of the database ends it (and another instance may take the
 * lead), so a heartbeat on that session stops `work` (through its signal) once it fails, and the
 * failure is thrown when `work` returns.
 */
export async function whileHoldingLock(orm: MikroORM, name: string, work: (signal: AbortSignal) => Promise<void>, opts: HoldOptions = {}): Promise<boolean> {
  const knex = orm.em.getConnection().getKnex().client as unknown as KnexClient;
  const conn = await knex.acquireConnection();
  try {
    const { rows } = await conn.query('select pg_try_advisory_lock(hashtext($1)) as ok', [name]);
    if (rows[0]?.ok !== true) return false;
    const lead = new AbortController();
    const stop = () => lead.abort();
    opts.stop?.addEventListener('abort', stop, { once: true });
    let lostLead: unknown;
    const heartbeat = setInterval(() => {
      conn.query('select 1').catch((err: unknown) => {
        lostLead ??= err;
        lead.abort();
      });
    }, opts.heartbeatMs ?? 5_000);
    try {
      await work(lead.signal);
      // Stopped by the heartbeat: the lock went with its session; the caller takes it again.
      if (lostLead !== undefined) throw lostLead;
    } finally {
      clearInterval(heartbeat);
      opts.stop?.removeEventListener('abort', stop);
      await conn.query('select pg_advisory_unlock(hashtext($1))', [name]).catch(() => undefined);
    }
    return true;
  } finally {
    await knex.releaseConnection(conn).catch(() => undefined);
  }
}
