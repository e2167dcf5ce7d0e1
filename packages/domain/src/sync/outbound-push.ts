import type { EntityManager } from '@mikro-orm/postgresql';
import type { Catalog } from '../catalogs/catalog';
import { sql } from '../sql';
import { MARK_SYNCED_SET, type MappingTarget } from './mappings';
import { syncEventInsert, type SyncAttempt } from './sync-events';

export interface OutboundState<S> {
  /** The record's synced state, with its row's id, version and deletion time; undefined: no such row. */
  record: { id: number; version: number; deleted_at: Date | null; state: S } | undefined;
  mapping: { id: number; external_id: string; last_synced_hash: string | null; last_synced_state: S | null } | undefined;
  /** No mapping, and a create was attempted before: the record may exist there already (a crash, a lost mapping). */
  triedToCreate: boolean;
  /** This statement committed the attempt's 'pending' create marker: the caller creates the record now. */
  createMarked: boolean;
}

interface StateRow {
  id: number | null;
  version: number;
  deleted_at: Date | null;
  mapping_id: number | null;
  external_id: string;
  last_synced_hash: string | null;
  last_synced_state: Record<string, unknown> | null;
  tried: boolean;
  marked: boolean;
}

/**
 * What an outbound push needs, in one round trip: the record, its mapping to the target, whether a
 * create was ever attempted for it — and, when a create is due with nothing to look up first (a
 * live record, no mapping, never tried), the `createMarker` audit row. That row is committed by
 * this statement, before the caller calls the external system, so a crash after the external create
 * is found by the next attempt (`triedToCreate`).
 */
export async function loadOutboundState<S extends object>(
  em: EntityManager,
  catalog: Catalog<S>,
  id: number,
  target: MappingTarget,
  createMarker: SyncAttempt,
): Promise<OutboundState<S>> {
  const marker = syncEventInsert({ ...createMarker, entityType: catalog.name });
  const columns = catalog.columns.map((c) => `r.${c}`).join(', ');
  const [row] = await sql<StateRow & Record<string, unknown>>(
    em,
    `with r as (select * from ${catalog.readFrom ?? catalog.table} where id = ?),
          m as (select id, external_id, last_synced_hash, last_synced_state from external_mappings
                 where entity_type = ? and internal_id = ? and external_system = ? and external_object_type = ?),
          t as (select not exists (select 1 from m) and exists (
                  select 1 from sync_events where entity_type = ? and entity_id = ? and external_system = ?
                     and direction = 'outbound' and payload->>'action' = 'create') as tried),
          p as (${marker.text} where exists (select 1 from r where deleted_at is null) and not exists (select 1 from m)
                  and not (select tried from t) returning 1)
     select r.id, r.version, r.deleted_at, ${columns}, m.id as mapping_id, m.external_id, m.last_synced_hash, m.last_synced_state,
            (select tried from t) as tried, exists (select 1 from p) as marked
       from (select 1) one left join r on true left join m on true`,
    [id, catalog.name, id, target.system, target.objectType, catalog.name, id, target.system, ...marker.params],
  );
  if (!row) throw new Error('outbound state query returned no row');
  return {
    record: row.id === null ? undefined : { id: row.id, version: row.version, deleted_at: row.deleted_at, state: catalog.state(row) },
    mapping:
      row.mapping_id === null
        ? undefined
        : { id: row.mapping_id, external_id: row.external_id, last_synced_hash: row.last_synced_hash, last_synced_state: row.last_synced_state && catalog.state(row.last_synced_state) },
    triedToCreate: row.tried,
    createMarked: row.marked,
  };
}

/**
 * The mapping write that ends a successful push: mark an existing mapping synced, or link a new
 * one already synced, with the state the record now holds (null: deleted there).
 */
export type MappingWrite<S = object> =
  | { kind: 'synced'; mappingId: number; state: S | null }
  | { kind: 'linked'; internalId: number; target: MappingTarget; externalId: string; state: S };

/** The hash and the state (as jsonb text) a mapping stores for what its record holds; null: deleted there. */
export function catalogColumns<S extends object>(catalog: Catalog<S>, state: S | null): [hash: string, state: string | null] {
  if (state === null) return [catalog.deletedHash, null];
  const canonical = catalog.state(state as Record<string, unknown>);
  return [catalog.hash(canonical), JSON.stringify(canonical)];
}

/**
 * Ends a push in one statement: the attempt's audit row together with its mapping write, so both
 * commit or neither does. A link that conflicts (the record got linked meanwhile, e.g. by the
 * inbound worker seeing our create) writes nothing and returns false: the caller links the slow way.
 */
export async function recordOutboundResult<S extends object>(em: EntityManager, catalog: Catalog<S>, attempt: SyncAttempt, write?: MappingWrite<S>): Promise<boolean> {
  const audit = syncEventInsert({ ...attempt, entityType: catalog.name });
  if (!write) {
    await sql(em, audit.text, audit.params);
    return true;
  }
  if (write.kind === 'synced') {
    await sql(em, `with w as (update external_mappings set ${MARK_SYNCED_SET} where id = ?) ${audit.text}`, [...catalogColumns(catalog, write.state), null, write.mappingId, ...audit.params]);
    return true;
  }
  const rows = await sql(
    em,
    `with w as (insert into external_mappings (entity_type, internal_id, external_system, external_object_type, external_id, last_synced_hash, last_synced_state, last_synced_at, last_source_ts)
                values (?, ?, ?, ?, ?, ?, ?::jsonb, now(), 0) on conflict do nothing returning id)
     ${audit.text} from w returning 1`,
    [catalog.name, write.internalId, write.target.system, write.target.objectType, write.externalId, ...catalogColumns(catalog, write.state), ...audit.params],
  );
  return rows.length > 0;
}
