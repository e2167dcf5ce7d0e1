import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../sql';

/** `days` before now (the database's clock, or `now` in tests), as the database gives a timestamptz back. */
export async function retentionCutoff(em: EntityManager, days: number, now?: Date): Promise<string> {
  const [row] = await sql<{ cutoff: string }>(em, 'select coalesce(?::timestamptz, now()) - make_interval(days => ?) as cutoff', [now ?? null, days]);
  return row!.cutoff;
}
