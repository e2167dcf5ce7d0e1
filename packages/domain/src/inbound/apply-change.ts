import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../sql';
import { mappingByExternalId, type MappingRow } from '../sync/mappings';
import { NeedsCurrentState, type ExternalChange, type InboundOutcome, type KnownCurrent } from './types';

/** What a record's state carries whatever the catalog: whether it is deleted there, and our id when it holds it. */
interface StateLike {
  deleted: boolean;
  internalId: number | null;
}

/**
 * What one catalog does with an external change once the shared steps below have run: its own
 * rules for a delete, a record we map and one we do not (customers: merge per field, link by our id
 * or email, create; invoices: a lifecycle that never moves back).
 */
export interface CatalogApply<St extends StateLike> {
  /** The entity_type of its mappings. */
  readonly entityType: string;
  /** Whether a record's state is what the mapping last recorded it holding (then a same-second event brings nothing new). */
  sameAsSynced(state: St, lastSynced: unknown): boolean;
  /** A partial change's full state: the mapping's last synced state with the changed fields' new values. */
  complete(change: ExternalChange<St>, state: St, mapping: MappingRow): St;
  onDelete(em: EntityManager, change: ExternalChange<St>, mapping: MappingRow | undefined): Promise<InboundOutcome>;
  onMapped(em: EntityManager, change: ExternalChange<St>, mapping: MappingRow, state: St, current: KnownCurrent<St>): Promise<InboundOutcome>;
  onUnmapped(em: EntityManager, change: ExternalChange<St>, state: St, current: KnownCurrent<St>): Promise<InboundOutcome>;
}

/**
 * The inbound steps every catalog shares, inside the caller's transaction (docs/sync-rules.md):
 * - an event id seen before is skipped (processed_events, same transaction);
 * - the record's mapping is found and locked;
 * - an event older than the newest applied for that record is skipped; on a tie (same second) the
 *   record's current state at its system is used (`current`: read before the transaction, never
 *   while it holds row locks — without it this throws NeedsCurrentState, see applyOutsideLocks);
 * - a partial change (only the changed fields) is completed from what the record last held, or
 *   from its current state when we hold none;
 * then the catalog's own rules decide.
 */
export async function applyChange<St extends StateLike>(em: EntityManager, rules: CatalogApply<St>, change: ExternalChange<St>, current?: KnownCurrent<St>): Promise<InboundOutcome> {
  const fresh = await sql(em, 'insert into processed_events (external_system, event_id) values (?, ?) on conflict do nothing returning 1', [
    change.system,
    change.eventId,
  ]);
  if (fresh.length === 0) return { status: 'skipped', reason: 'duplicate event', customerId: null };

  const mapping = await mappingByExternalId(em, { system: change.system, objectType: change.objectType, entityType: rules.entityType }, change.externalId, true);
  let state = change.state;
  if (mapping?.last_source_ts != null) {
    const last = Number(mapping.last_source_ts);
    if (change.sourceTs < last) return { status: 'skipped', reason: 'stale event', customerId: mapping.internal_id };
    if (change.sourceTs === last) {
      // Same second: only the source's current state can order it — unless it brings nothing new
      // (a catch-up reading a record the stream delivered already), which costs no call.
      if (state && !change.partial && mapping.last_synced_state && rules.sameAsSynced(state, mapping.last_synced_state)) {
        return { status: 'skipped', reason: 'already synced', customerId: mapping.internal_id };
      }
      state = currentState(change, current);
    }
  }
  if (change.partial && state === change.state && state !== null) state = mapping?.last_synced_state ? rules.complete(change, state, mapping) : currentState(change, current);

  if (change.kind === 'deleted' || state === null || state.deleted) return rules.onDelete(em, change, mapping);
  return mapping ? rules.onMapped(em, change, mapping, state, current) : rules.onUnmapped(em, change, state, current);
}

/** The record's current state at its source, as read outside the transaction; asks for it when not read yet. */
export function currentState<St>(change: { externalId: string }, current: KnownCurrent<St>): St | null {
  if (current === undefined) throw new NeedsCurrentState(change.externalId);
  return current.state;
}
