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

/**
 * How far before the first start of a system's change paths they read, in seconds: our database's
 * clock against the system's stamps (SystemModstamp, Stripe's event times), with room to spare.
 */
export const START_MARGIN_S = 60;

/**
 * Where a system's change paths begin when they have no cursor of their own (seconds since the
 * epoch, `start:<system>`): recorded once, by whichever path starts first, on a connection of its
 * own so that a failed first read does not roll it back. The change stream subscribes at its
 * newest event the first time, and the change feed used to begin at its first successful poll; a
 * worker killed, or a system failing, before either had a cursor left the edits of that window in
 * neither. With this the feed reads from the first start on, so the stream's later subscription
 * is covered. Edits made up to START_MARGIN_S before the install are read too (harmless: applied
 * as any edit would be a minute later).
 */
export async function startPoint(em: EntityManager, system: string): Promise<number> {
  const name = `start:${system}`;
  await sql(em, `insert into sync_cursors (name, value, updated_at) values (?, to_jsonb(floor(extract(epoch from now()))::bigint - ?), now()) on conflict (name) do nothing`, [name, START_MARGIN_S]);
  const start = await readCursor<number>(em, name);
  return Number(start);
}

/** Runs `work` only if no other instance holds the named lock (transaction-scoped advisory lock). */
export async function withLeaderLock<T>(em: EntityManager, name: string, work: (em: EntityManager) => Promise<T>): Promise<T | undefined> {
  return em.transactional(async (tx) => {
    const [row] = await sql<{ ok: boolean }>(tx, 'select pg_try_advisory_xact_lock(hashtext(?)) as ok', [name]);
    if (!row?.ok) return undefined;
    return work(tx);
  });
}
