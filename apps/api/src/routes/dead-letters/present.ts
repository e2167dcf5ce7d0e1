import { pgTime, type DeadLetterRow } from '@cs/domain';
import { redact } from '../../http/redact';

/**
 * The stored row, snake_case; the envelope is redacted, since it may hold what an outside system sent.
 * (The service's rows come from raw SQL: their timestamps are Postgres text, whatever the type says.)
 */
export function presentDeadLetter(d: DeadLetterRow) {
  return {
    id: d.id,
    source_topic: d.source_topic,
    message_key: d.message_key,
    external_system: d.external_system,
    reason: d.reason,
    error_code: d.error_code,
    attempts: d.attempts,
    envelope: redact(d.envelope),
    status: d.status,
    trace_id: d.trace_id,
    created_at: pgTime(d.created_at).toISOString(),
    resolved_at: pgTime(d.resolved_at)?.toISOString() ?? null,
    resolution_note: d.resolution_note,
  };
}
