import type { EntityManager } from '@mikro-orm/postgresql';
import { recordSyncEvent } from '../sync/sync-events';
import type { InboundOutcome } from './types';

export interface InboundAuditMeta {
  system: string;
  /** The catalog of the record the change is about; customer when left out. */
  entityType?: string | undefined;
  eventType: string;
  traceId: string | null;
  /** What identifies the event (event id, external id, how it came): the start of the payload. */
  payload: Record<string, unknown>;
  retryCount?: number;
  /** The source's timestamp of the change, when the event carries one. */
  sourceAt?: Date | undefined;
}

/** What the sync_events row of an applied external change says: the event, then the outcome. */
export function inboundAuditPayload(meta: InboundAuditMeta, outcome: InboundOutcome): Record<string, unknown> {
  return outcome.status === 'success'
    ? { ...meta.payload, action: outcome.action, detail: outcome.detail }
    : outcome.status === 'skipped'
      ? { ...meta.payload, reason: outcome.reason }
      : { ...meta.payload, reason: outcome.reason, ours: outcome.ours, theirs: outcome.theirs };
}

/** The sync_events row for one applied external change, whoever applied it (worker or backfill); its actor is the system it came from. */
export function recordInboundOutcome(em: EntityManager, meta: InboundAuditMeta, outcome: InboundOutcome): Promise<void> {
  return recordSyncEvent(em, {
    eventType: meta.eventType,
    ...(meta.entityType ? { entityType: meta.entityType } : {}),
    entityId: outcome.customerId ?? 0,
    system: meta.system,
    status: outcome.status,
    direction: 'inbound',
    traceId: meta.traceId,
    actor: meta.system,
    payload: inboundAuditPayload(meta, outcome),
    error: outcome.status === 'conflict' ? outcome.reason : null,
    retryCount: meta.retryCount ?? 0,
    sourceAt: meta.sourceAt ?? null,
  });
}
