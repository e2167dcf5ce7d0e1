import { EntitySchema } from '@mikro-orm/core';

export type SyncStatus = 'pending' | 'success' | 'skipped' | 'retrying' | 'failed' | 'parked' | 'conflict';

/** The audit trail: one row per sync attempt (seed table `sync_events`, plus direction, trace id, actor and source time). */
export interface SyncEvent {
  id: number;
  eventId: string;
  eventType: string;
  entityType: string;
  entityId: number;
  externalSystem: string | null;
  status: SyncStatus;
  payload: unknown;
  errorMessage: string | null;
  retryCount: number;
  createdAt: Date;
  processedAt: Date | null;
  direction: 'inbound' | 'outbound' | null;
  traceId: string | null;
  /** Who made the change: an API key's name, or the system it came from; null: not known (docs/operations.md). */
  actor: string | null;
  /** When the change was made at its source (outbound: our commit; inbound: the source's stamp); with processedAt, time-to-sync. */
  sourceAt: Date | null;
}

/** Partitioned by month on created_at, so its key holds it: (id, created_at); ids alone are still unique (one sequence). */
export const SyncEventSchema = new EntitySchema<SyncEvent>({
  name: 'SyncEvent',
  tableName: 'sync_events',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    eventId: { type: 'uuid', fieldName: 'event_id', unique: true },
    eventType: { type: 'string', length: 50, fieldName: 'event_type' },
    entityType: { type: 'string', length: 50, fieldName: 'entity_type' },
    entityId: { type: 'integer', fieldName: 'entity_id' },
    externalSystem: { type: 'string', length: 50, fieldName: 'external_system', nullable: true },
    status: { type: 'string', length: 50, default: 'pending' },
    payload: { type: 'json', nullable: true },
    errorMessage: { type: 'text', fieldName: 'error_message', nullable: true },
    retryCount: { type: 'integer', fieldName: 'retry_count', default: 0 },
    createdAt: { type: 'Date', fieldName: 'created_at', primary: true, defaultRaw: 'now()', onCreate: () => new Date() },
    processedAt: { type: 'Date', fieldName: 'processed_at', nullable: true },
    direction: { type: 'string', length: 10, nullable: true },
    traceId: { type: 'string', length: 128, fieldName: 'trace_id', nullable: true },
    actor: { type: 'string', length: 50, nullable: true },
    sourceAt: { type: 'Date', fieldName: 'source_at', nullable: true },
  },
});
