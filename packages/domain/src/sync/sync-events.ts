import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { SyncStatus } from '../entities';
import { sql } from '../sql';

export interface SyncAttempt {
  eventType: string;
  entityId: number;
  system: string | null;
  status: SyncStatus;
  direction: 'inbound' | 'outbound';
  traceId: string | null;
  payload: Record<string, unknown>;
  error?: string | null;
  retryCount?: number;
}

/** One row of the audit trail per sync attempt (design rule 7). */
export async function recordSyncEvent(em: EntityManager, a: SyncAttempt): Promise<void> {
  const done = a.status !== 'pending' && a.status !== 'retrying';
  await sql(
    em,
    `insert into sync_events (event_id, event_type, entity_type, entity_id, external_system, status, payload, error_message, retry_count, processed_at, direction, trace_id)
     values (?, ?, 'customer', ?, ?, ?, ?::jsonb, ?, ?, ${done ? 'now()' : 'null'}, ?, ?)`,
    [randomUUID(), a.eventType.slice(0, 50), a.entityId, a.system, a.status, JSON.stringify(a.payload), a.error ?? null, a.retryCount ?? 0, a.direction, a.traceId],
  );
}
