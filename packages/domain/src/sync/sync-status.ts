import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../sql';
import { pgTime } from './pg-time';
import type { DeadLetterRow } from './dead-letter-service';

/** Where one customer stands with one external system: its link, and the latest attempt either way. */
export interface SystemSyncState {
  system: string;
  mapping: { external_id: string; created_at: Date } | null;
  last_synced_at: Date | null;
  last_status: string | null;
  last_error: string | null;
  last_event_at: Date | null;
  last_event_type: string | null;
  last_direction: string | null;
}

interface MappingRow {
  customer_id: number;
  system: string;
  external_id: string;
  created_at: string;
  last_synced_at: string | null;
}

interface LatestEventRow {
  customer_id: number;
  system: string;
  status: string;
  error_message: string | null;
  created_at: string;
  event_type: string;
  direction: string | null;
}

/**
 * The sync state of several customers at once (one query for mappings, one for the latest
 * sync_events row per customer and system), so a page of customers costs two queries, not 2n.
 * Every system in `systems` is listed even when nothing happened yet; a system seen only in the
 * data (one no longer configured, say) is listed too, so nothing is hidden from operators.
 */
export async function syncStates(em: EntityManager, customerIds: number[], systems: readonly string[], entityType = 'customer'): Promise<Map<number, SystemSyncState[]>> {
  const result = new Map<number, SystemSyncState[]>();
  if (customerIds.length === 0) return result;
  const ids = `{${customerIds.join(',')}}`;
  const mappings = await sql<MappingRow>(
    em,
    `select internal_id as customer_id, external_system as system, external_id, created_at, last_synced_at
       from external_mappings where entity_type = ? and internal_id = any(?::int[])`,
    [entityType, ids],
  );
  // "Latest" is the highest id: created_at is the transaction's start time and can tie or reorder.
  const latest = await sql<LatestEventRow>(
    em,
    `select distinct on (entity_id, external_system)
            entity_id as customer_id, external_system as system, status, error_message, created_at, event_type, direction
       from sync_events
      where entity_type = ? and entity_id = any(?::int[]) and external_system is not null
      order by entity_id, external_system, id desc`,
    [entityType, ids],
  );
  for (const id of customerIds) {
    const names = new Set(systems);
    for (const m of mappings) if (m.customer_id === id) names.add(m.system);
    for (const e of latest) if (e.customer_id === id) names.add(e.system);
    result.set(
      id,
      [...names].sort().map((system) => {
        const m = mappings.find((r) => r.customer_id === id && r.system === system);
        const e = latest.find((r) => r.customer_id === id && r.system === system);
        return {
          system,
          mapping: m ? { external_id: m.external_id, created_at: pgTime(m.created_at) } : null,
          last_synced_at: pgTime(m?.last_synced_at ?? null),
          last_status: e?.status ?? null,
          last_error: e?.error_message ?? null,
          last_event_at: pgTime(e?.created_at ?? null),
          last_event_type: e?.event_type ?? null,
          last_direction: e?.direction ?? null,
        };
      }),
    );
  }
  return result;
}

/** A dead letter as the status view shows it: without the payload and the resolution. */
export type ParkedForCustomer = Pick<
  DeadLetterRow,
  'id' | 'source_topic' | 'message_key' | 'external_system' | 'reason' | 'error_code' | 'attempts' | 'trace_id' | 'created_at'
>;

/**
 * Parked messages about one customer. Outbound messages are keyed by our customer id; inbound
 * ones by the external id, so those are found through the customer's mappings.
 */
export async function parkedDeadLettersFor(em: EntityManager, customerId: number, entityType = 'customer'): Promise<ParkedForCustomer[]> {
  const rows = await sql<Omit<ParkedForCustomer, 'created_at'> & { created_at: string }>(
    em,
    `select d.id, d.source_topic, d.message_key, d.external_system, d.reason, d.error_code, d.attempts, d.trace_id, d.created_at
       from dead_letters d
      where d.status = 'parked'
        and ((d.source_topic not like '%sync.inbound' and coalesce(d.entity_type, 'customer') = ? and d.message_key = ?)
          or (d.source_topic like '%sync.inbound'
              and exists (select 1 from external_mappings m where m.entity_type = ? and m.internal_id = ? and m.external_id = d.message_key)))
      order by d.id desc`,
    [entityType, String(customerId), entityType, customerId],
  );
  return rows.map((r) => ({ ...r, created_at: pgTime(r.created_at) }));
}

export interface CustomerSyncStatus {
  customer_id: number;
  deleted_at: Date | null;
  systems: SystemSyncState[];
  dead_letters: ParkedForCustomer[];
}

/**
 * One customer's sync status, or undefined when no such customer ever existed. A deleted
 * customer (a tombstone) still answers: its deletion is itself synced, and that is exactly what
 * an operator looks at after a delete.
 */
export async function customerSyncStatus(em: EntityManager, customerId: number, systems: readonly string[]): Promise<CustomerSyncStatus | undefined> {
  const [customer] = await sql<{ id: number; deleted_at: string | null }>(em, 'select id, deleted_at from customers where id = ?', [customerId]);
  if (!customer) return undefined;
  const states = await syncStates(em, [customerId], systems);
  return {
    customer_id: customer.id,
    deleted_at: pgTime(customer.deleted_at),
    systems: states.get(customerId) ?? [],
    dead_letters: await parkedDeadLettersFor(em, customerId),
  };
}
