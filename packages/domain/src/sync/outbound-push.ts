import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../sql';
import type { Address } from '../contact-fields';
import type { SyncedState } from '../customer-rules';
import { MARK_SYNCED_SET, syncedColumns, type MappingTarget } from './mappings';
import { syncEventInsert, type SyncAttempt } from './sync-events';

export interface OutboundState {
  customer: { id: number; name: string; email: string; phone: string | null; address: Address | null; version: number; deleted_at: Date | null } | undefined;
  mapping: { id: number; external_id: string; last_synced_hash: string | null } | undefined;
  /** No mapping, and a create was attempted before: the record may exist there already (a crash, a lost mapping). */
  triedToCreate: boolean;
  /** This statement committed the attempt's 'pending' create marker: the caller creates the record now. */
  createMarked: boolean;
}

interface StateRow {
  id: number | null;
  name: string;
  email: string;
  phone: string | null;
  address: Address | null;
  version: number;
  deleted_at: Date | null;
  mapping_id: number | null;
  external_id: string;
  last_synced_hash: string | null;
  tried: boolean;
  marked: boolean;
}

/**
 * What an outbound push needs, in one round trip: the customer, its mapping to `system`, whether a
 * create was ever attempted for it — and, when a create is due with nothing to look up first (a
 * live customer, no mapping, never tried), the `createMarker` audit row. That row is committed by
 * this statement, before the caller calls the external system, so a crash after the external create
 * is found by the next attempt (`triedToCreate`).
 */
export async function loadOutboundState(em: EntityManager, customerId: number, target: MappingTarget, createMarker: SyncAttempt): Promise<OutboundState> {
  const marker = syncEventInsert(createMarker);
  const [row] = await sql<StateRow>(
    em,
    `with c as (select id, name, email, phone, address, version, deleted_at from customers where id = ?),
          m as (select id, external_id, last_synced_hash from external_mappings
                 where entity_type = 'customer' and internal_id = ? and external_system = ? and external_object_type = ?),
          t as (select not exists (select 1 from m) and exists (
                  select 1 from sync_events where entity_type = 'customer' and entity_id = ? and external_system = ?
                     and direction = 'outbound' and payload->>'action' = 'create') as tried),
          p as (${marker.text} where exists (select 1 from c where deleted_at is null) and not exists (select 1 from m)
                  and not (select tried from t) returning 1)
     select c.id, c.name, c.email, c.phone, c.address, c.version, c.deleted_at, m.id as mapping_id, m.external_id, m.last_synced_hash,
            (select tried from t) as tried, exists (select 1 from p) as marked
       from (select 1) one left join c on true left join m on true`,
    [customerId, customerId, target.system, target.objectType, customerId, target.system, ...marker.params],
  );
  if (!row) throw new Error('outbound state query returned no row');
  return {
    customer: row.id === null ? undefined : { id: row.id, name: row.name, email: row.email, phone: row.phone, address: row.address, version: row.version, deleted_at: row.deleted_at },
    mapping: row.mapping_id === null ? undefined : { id: row.mapping_id, external_id: row.external_id, last_synced_hash: row.last_synced_hash },
    triedToCreate: row.tried,
    createMarked: row.marked,
  };
}

/**
 * The mapping write that ends a successful push: mark an existing mapping synced, or link a new
 * one already synced, with the state the record now holds (null: deleted there).
 */
export type MappingWrite =
  | { kind: 'synced'; mappingId: number; state: SyncedState | null }
  | { kind: 'linked'; customerId: number; target: MappingTarget; externalId: string; state: SyncedState };

/**
 * Ends a push in one statement: the attempt's audit row together with its mapping write, so both
 * commit or neither does. A link that conflicts (the customer got linked meanwhile, e.g. by the
 * inbound worker seeing our create) writes nothing and returns false: the caller links the slow way.
 */
export async function recordOutboundResult(em: EntityManager, attempt: SyncAttempt, write?: MappingWrite): Promise<boolean> {
  const audit = syncEventInsert(attempt);
  if (!write) {
    await sql(em, audit.text, audit.params);
    return true;
  }
  if (write.kind === 'synced') {
    await sql(em, `with w as (update external_mappings set ${MARK_SYNCED_SET} where id = ?) ${audit.text}`, [...syncedColumns(write.state), null, write.mappingId, ...audit.params]);
    return true;
  }
  const rows = await sql(
    em,
    `with w as (insert into external_mappings (entity_type, internal_id, external_system, external_object_type, external_id, last_synced_hash, last_synced_state, last_synced_at, last_source_ts)
                values ('customer', ?, ?, ?, ?, ?, ?::jsonb, now(), 0) on conflict do nothing returning id)
     ${audit.text} from w returning 1`,
    [write.customerId, write.target.system, write.target.objectType, write.externalId, ...syncedColumns(write.state), ...audit.params],
  );
  return rows.length > 0;
}
