import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { SyncStatus } from '../entities';
import { sql } from '../sql';

export interface SyncAttempt {
  eventType: string;
  /** The catalog the record belongs to; customer when left out. */
  entityType?: string;
  entityId: number;
  system: string | null;
  status: SyncStatus;
  direction: 'inbound' | 'outbound';
  traceId: string | null;
  payload: Record<string, unknown>;
  error?: string | null;
  retryCount?: number;
  /** Who made the change: an API key's name, the system it came from; null or left out: not known. */
  actor?: string | null;
  /** When the change was made at its source (our commit going out, the source's stamp coming in): time-to-sync is processed_at minus this. */
  sourceAt?: Date | null;
}

/**
 * `insert into sync_events (…) select <values>`, to be completed with a `from`/`where` (or not) by
 * statements that write the audit row together with something else, in one round trip.
 */
export function syncEventInsert(a: SyncAttempt): { text: string; params: unknown[] } {
  const done = a.status !== 'pending' && a.status !== 'retrying';
  return {
    text: `insert into sync_events (event_id, event_type, entity_type, entity_id, external_system, status, payload, error_message, retry_count, processed_at, direction, trace_id, actor, source_at)
     select ?::uuid, ?, ?, ?::int, ?, ?, ?::jsonb, ?, ?::int, ${done ? 'now()' : 'null::timestamptz'}, ?, ?, ?, ?::timestamptz`,
    params: [randomUUID(), a.eventType.slice(0, 50), a.entityType ?? 'customer', a.entityId, a.system, a.status, JSON.stringify(a.payload), a.error ?? null, a.retryCount ?? 0, a.direction, a.traceId, a.actor ?? null, validDate(a.sourceAt)],
  };
}

/** An unparseable source time (a malformed occurred_at) is not known rather than a failed insert. */
const validDate = (d: Date | null | undefined) => (d && Number.isFinite(d.getTime()) ? d.toISOString() : null);

/** One row of the audit trail per sync attempt (design rule 7). */
export async function recordSyncEvent(em: EntityManager, a: SyncAttempt): Promise<void> {
  const insert = syncEventInsert(a);
  await sql(em, insert.text, insert.params);
}
