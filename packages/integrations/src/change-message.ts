import type { ExternalChangeInput } from '@cs/kafka-schemas';
import type { ExternalCustomer, ExternalInvoice, NeutralChange } from './types';

/** A record's neutral fields as a message carries them: everything but where it lives and when it was made. */
export function neutralState(record: ExternalCustomer | ExternalInvoice): Record<string, unknown> {
  const { externalId: _where, createdTs: _when, ...state } = record;
  return state;
}

/** The record a change carries, whichever catalog it is of. */
const recordOf = (change: NeutralChange): ExternalCustomer | ExternalInvoice | null => (change.entityType === 'invoice' ? (change.invoice ?? null) : change.customer);

/**
 * What goes on sync.inbound for one neutral change, whoever found it: the gateway (a webhook), a
 * catch-up (the source's change feed), a backfill or a reconcile (a record listed there).
 */
export function changeMessage(system: string, change: NeutralChange, via: ExternalChangeInput['via'], traceId?: string): ExternalChangeInput {
  return {
    system,
    entityType: change.entityType,
    objectType: change.objectType,
    externalId: change.externalId,
    kind: change.kind,
    eventId: change.eventId,
    eventType: change.eventType,
    sourceTs: change.sourceTs,
    state: recordOf(change) && change.kind !== 'deleted' ? neutralState(recordOf(change)!) : null,
    ...(change.changedFields ? { changedFields: change.changedFields } : {}),
    ...(change.partial ? { partial: true } : {}),
    via,
    ...(traceId ? { traceId } : {}),
  };
}

/**
 * A record found by listing a system (backfill, reconcile) as the change that would have told us
 * of it: no source event exists, so the event id is ours and the type names the catalog and kind.
 */
export function listedChange(objectType: string, kind: 'created' | 'deleted', record: ExternalCustomer, eventId: string, sourceTs: number): NeutralChange;
export function listedChange(objectType: string, kind: 'created' | 'deleted', record: ExternalInvoice, eventId: string, sourceTs: number, entityType: 'invoice'): NeutralChange;
export function listedChange(
  objectType: string,
  kind: 'created' | 'deleted',
  record: ExternalCustomer | ExternalInvoice,
  eventId: string,
  sourceTs: number,
  entityType: NeutralChange['entityType'] = 'customer',
): NeutralChange {
  return {
    action: kind === 'deleted' ? 'delete' : 'upsert',
    kind,
    entityType,
    objectType,
    externalId: record.externalId,
    eventId,
    eventType: `${entityType}.${kind}`,
    sourceTs,
    customer: entityType === 'customer' ? (record as ExternalCustomer) : null,
    ...(entityType === 'invoice' ? { invoice: record as ExternalInvoice } : {}),
  };
}
