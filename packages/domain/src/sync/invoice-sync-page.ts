import type { EntityManager } from '@mikro-orm/postgresql';
import { syncPage } from './customer-sync-page';
import type { SystemSyncState } from './sync-status';

export interface InvoiceSyncRow {
  id: number;
  customer_id: number;
  status: string;
  currency: string;
  number: string | null;
  amount_due: number;
  amount_paid: number;
  amount_remaining: number;
  hosted_invoice_url: string | null;
  version: number;
  updated_at: Date;
  systems: SystemSyncState[];
}

/**
 * A page of live invoices, newest first, with what Stripe told us of each (number, status,
 * payments, hosted page) and each one's per-system sync state: the console's invoice table.
 */
export async function invoiceSyncPage(em: EntityManager, page: { skip: number; limit: number }, systems: readonly string[]): Promise<{ data: InvoiceSyncRow[]; has_more: boolean }> {
  const result = await syncPage<Omit<InvoiceSyncRow, 'systems' | 'updated_at'>>(
    em,
    'invoice',
    `select id, customer_id, status, currency::text as currency, number, amount_due, amount_paid, amount_remaining, hosted_invoice_url, version, updated_at
       from invoices where deleted_at is null`,
    page,
    systems,
  );
  // bigint columns come back as strings; every amount is within Number.MAX_SAFE_INTEGER (the table's checks).
  return { ...result, data: result.data.map((r) => ({ ...r, amount_due: Number(r.amount_due), amount_paid: Number(r.amount_paid), amount_remaining: Number(r.amount_remaining) })) };
}
