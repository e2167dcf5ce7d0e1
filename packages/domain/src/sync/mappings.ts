import type { EntityManager } from '@mikro-orm/postgresql';
import { stateHash, syncedState, type SyncedState } from '../customer-rules';
import { sql } from '../sql';

export interface MappingRow {
  id: number;
  internal_id: number;
  external_system: string;
  external_object_type: string;
  external_id: string;
  last_synced_hash: string | null;
  /** What last_synced_hash is the hash of; null on mappings from before it was kept. */
  last_synced_state: SyncedState | null;
  last_source_ts: string | null;
}

/**
 * Where a customer is kept in one system: the system and the type of record there (Stripe:
 * customer; Salesforce: Account). Mappings are keyed by (entity type, our id, system, object
 * type), so one customer may map to several records of one system, one per object type.
 */
export interface MappingTarget {
  system: string;
  objectType: string;
  /** Which of our catalogs the record belongs to; customer when left out. */
  entityType?: string | undefined;
}

const entityOf = (target: MappingTarget) => target.entityType ?? 'customer';

export async function mappingFor(em: EntityManager, customerId: number, target: MappingTarget): Promise<MappingRow | undefined> {
  const rows = await sql<MappingRow>(
    em,
    `select * from external_mappings where entity_type = ? and internal_id = ? and external_system = ? and external_object_type = ?`,
    [entityOf(target), customerId, target.system, target.objectType],
  );
  return rows[0];
}

export async function mappingByExternalId(em: EntityManager, target: MappingTarget, externalId: string, lock = false): Promise<MappingRow | undefined> {
  const rows = await sql<MappingRow>(
    em,
    `select * from external_mappings where external_system = ? and external_object_type = ? and external_id = ? and entity_type = ?${lock ? ' for update' : ''}`,
    [target.system, target.objectType, externalId, entityOf(target)],
  );
  return rows[0];
}

/**
 * Links a customer to an external record. Both workers may race to link the same pair (our
 * create, and Stripe's echo of it): the first wins, the second finds it. Returns the mapping now
 * stored for this customer — which points elsewhere if the customer was already linked.
 */
export async function linkMapping(em: EntityManager, customerId: number, target: MappingTarget, externalId: string): Promise<MappingRow> {
  await sql(
    em,
    `insert into external_mappings (entity_type, internal_id, external_system, external_object_type, external_id) values (?, ?, ?, ?, ?) on conflict do nothing`,
    [entityOf(target), customerId, target.system, target.objectType, externalId],
  );
  const row = await mappingFor(em, customerId, target);
  if (!row) throw new Error(`mapping of customer ${customerId} to ${target.system} ${target.objectType} vanished while linking`);
  return row;
}

/**
 * `set` list of an update marking a mapping synced; its parameters are syncedColumns(state)
 * (hash, state) and the source timestamp (or null).
 */
export const MARK_SYNCED_SET = `last_synced_hash = ?, last_synced_state = ?::jsonb, last_synced_at = now(),
       last_source_ts = greatest(coalesce(last_source_ts, 0), coalesce(?::bigint, 0))`;

/** What a mapping's hash is once the record is deleted on both sides: nothing more to send. */
export const DELETED_HASH_INPUT = { name: '', email: '', deleted: true } as const;

/**
 * The hash and the state (as jsonb text) a mapping stores for what its record holds: `state`, or
 * null once the record is deleted (the "deleted there" hash, no state). The hash and the state are
 * always written together, so the state is what the hash is of.
 */
export function syncedColumns(state: SyncedState | null): [hash: string, state: string | null] {
  if (state === null) return [stateHash(DELETED_HASH_INPUT), null];
  const canonical = syncedState(state);
  return [stateHash(canonical), JSON.stringify(canonical)];
}

/** Marks a mapping synced with `state` (null: deleted there). */
export async function markSynced(em: EntityManager, mappingId: number, state: SyncedState | null, sourceTs?: number): Promise<void> {
  await sql(em, `update external_mappings set ${MARK_SYNCED_SET} where id = ?`, [...syncedColumns(state), sourceTs ?? null, mappingId]);
}
