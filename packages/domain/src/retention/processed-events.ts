import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../sql';
import { retentionCutoff } from './cutoff';

/**
 * Deletes the inbound dedupe keys (processed_events) older than `days`, in batches that each
 * commit, so that no statement holds many row locks or runs long. Returns how many went. Inside
 * the window a redelivered event is still skipped as a duplicate; past it, the order guard (the
 * source timestamp on the mapping) still keeps an old event from overwriting newer data.
 */
export async function pruneProcessedEvents(em: EntityManager, days: number, opts: { now?: Date; batch?: number } = {}): Promise<number> {
  const batch = opts.batch ?? 10_000;
  const cutoff = await retentionCutoff(em, days, opts.now);
  let removed = 0;
  for (;;) {
    const [gone] = await sql<{ n: string }>(
      em,
      `with gone as (
         delete from processed_events p
          using (select external_system, event_id from processed_events where processed_at < ? limit ?) old
          where p.external_system = old.external_system and p.event_id = old.event_id
         returning 1)
       select count(*) as n from gone`,
      [cutoff, batch],
    );
    const n = Number(gone?.n ?? 0);
    removed += n;
    if (n < batch) return removed;
  }
}
