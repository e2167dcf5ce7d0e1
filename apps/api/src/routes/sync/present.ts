import type { SyncEventRow, SystemSyncState } from '@cs/domain';
import { redact } from '../../http/redact';

export const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function presentSystemState(s: SystemSyncState) {
  return {
    system: s.system,
    mapping: s.mapping ? { external_id: s.mapping.external_id, created_at: s.mapping.created_at.toISOString() } : null,
    last_synced_at: iso(s.last_synced_at),
    last_status: s.last_status,
    last_error: s.last_error,
    last_event_at: iso(s.last_event_at),
    last_event_type: s.last_event_type,
    last_direction: s.last_direction,
  };
}

/** As stored, snake_case; the payload is redacted (it may hold what an outside system sent). */
export function presentSyncEvent(e: SyncEventRow) {
  return {
    id: e.id,
    event_id: e.event_id,
    event_type: e.event_type,
    entity_type: e.entity_type,
    entity_id: e.entity_id,
    external_system: e.external_system,
    status: e.status,
    payload: redact(e.payload ?? null),
    error_message: e.error_message,
    retry_count: e.retry_count,
    created_at: e.created_at.toISOString(),
    processed_at: iso(e.processed_at),
    direction: e.direction,
    trace_id: e.trace_id,
    actor: e.actor,
  };
}
