import { EntitySchema } from '@mikro-orm/core';

export type DeadLetterStatus = 'parked' | 'replayed' | 'discarded';

export interface DeadLetter {
  id: number;
  sourceTopic: string;
  messageKey: string | null;
  externalSystem: string | null;
  reason: string;
  errorCode: string | null;
  attempts: number;
  envelope: unknown;
  status: DeadLetterStatus;
  traceId: string | null;
  createdAt: Date;
  resolvedAt: Date | null;
  resolutionNote: string | null;
}

export const DeadLetterSchema = new EntitySchema<DeadLetter>({
  name: 'DeadLetter',
  tableName: 'dead_letters',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    sourceTopic: { type: 'string', length: 100, fieldName: 'source_topic' },
    messageKey: { type: 'string', length: 255, fieldName: 'message_key', nullable: true },
    externalSystem: { type: 'string', length: 50, fieldName: 'external_system', nullable: true },
    reason: { type: 'text' },
    errorCode: { type: 'string', length: 100, fieldName: 'error_code', nullable: true },
    attempts: { type: 'integer', default: 0 },
    envelope: { type: 'json' },
    status: { type: 'string', length: 20, default: 'parked' },
    traceId: { type: 'string', length: 128, fieldName: 'trace_id', nullable: true },
    createdAt: { type: 'Date', fieldName: 'created_at', defaultRaw: 'now()', onCreate: () => new Date() },
    resolvedAt: { type: 'Date', fieldName: 'resolved_at', nullable: true },
    resolutionNote: { type: 'text', fieldName: 'resolution_note', nullable: true },
  },
});
