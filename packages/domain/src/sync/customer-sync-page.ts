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
export async function customerSyncPage(
  em: EntityManager,
  page: { skip: number; limit: number },
  systems: readonly string[],
): Promise<{ data: CustomerSyncRow[]; has_more: boolean }> {
  const rows = await sql<Omit<CustomerSyncRow, 'systems' | 'updated_at'> & { updated_at: string }>(
    em,
    'select id, name, email, version, updated_at from customers where deleted_at is null order by id desc limit ? offset ?',
    [page.limit + 1, page.skip],
  );
  const customers = rows.slice(0, page.limit);
  const states = await syncStates(
    em,
    customers.map((c) => c.id),
    systems,
  );
  return { data: customers.map((c) => ({ ...c, updated_at: pgTime(c.updated_at), systems: states.get(c.id) ?? [] })), has_more: rows.length > page.limit };
}
