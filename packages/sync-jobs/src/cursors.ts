import type { EntityManager } from '@cs/domain';
import { sql } from '@cs/domain';

/** Small persisted positions (sync_cursors): where catch-up and backfill resume after a restart. */
export async function readCursor<T>(em: EntityManager, name: string): Promise<T | null> {
  const rows = await sql<{ value: T }>(em, 'select value from sync_cursors where name = ?', [name]);
  return rows[0]?.value ?? null;
}

export async function writeCursor(em: EntityManager, name: string, value: unknown): Promise<void> {
  await sql(
    em,
    `insert into sync_cursors (name, value, updated_at) values (?, ?::jsonb, now())
     on conflict (name) do update set value = excluded.value, updated_at = now()`,
    [name, JSON.stringify(value)],
  );
}

/** Runs `work` only if no other instance holds the named lock (transaction-scoped advisory lock). */
export async function withLeaderLock<T>(em: EntityManager, name: string, work: (em: EntityManager) => Promise<T>): Promise<T | undefined> {
  return em.transactional(async (tx) => {
    const [row] = await sql<{ ok: boolean }>(tx, 'select pg_try_advisory_xact_lock(hashtext(?)) as ok', [name]);
    if (!row?.ok) return undefined;
    return work(tx);
  });
}
