import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../sql';
import { pgTime } from './pg-time';
import { syncStates, type SystemSyncState } from './sync-status';

export interface CustomerSyncRow {
  id: number;
  name: string;
  email: string;
  version: number;
  updated_at: Date;
  systems: SystemSyncState[];
}

/**
 * A page of live customers, newest first (what an operator watching the console just made or
 * changed), each with its per-system sync state: three queries for the whole page.
 */
export function customerSyncPage(em: EntityManager, page: { skip: number; limit: number }, systems: readonly string[]): Promise<{ data: CustomerSyncRow[]; has_more: boolean }> {
  return syncPage<Omit<CustomerSyncRow, 'systems' | 'updated_at'>>(em, 'customer', 'select id, name, email, version, updated_at from customers where deleted_at is null', page, systems);
}

/**
 * The rows `select` names (live records of one catalog, with id and updated_at), newest first, a
 * page of them, each with its per-system sync state (mappings and latest sync event of each system).
 */
export async function syncPage<R extends { id: number }>(
  em: EntityManager,
  entityType: string,
  select: string,
  page: { skip: number; limit: number },
  systems: readonly string[],
): Promise<{ data: Array<R & { updated_at: Date; systems: SystemSyncState[] }>; has_more: boolean }> {
  const rows = await sql<R & { updated_at: string }>(em, `${select} order by id desc limit ? offset ?`, [page.limit + 1, page.skip]);
  const records = rows.slice(0, page.limit);
  const states = await syncStates(
    em,
    records.map((r) => r.id),
    systems,
    entityType,
  );
  return { data: records.map((r) => ({ ...r, updated_at: pgTime(r.updated_at), systems: states.get(r.id) ?? [] })), has_more: rows.length > page.limit };
}
