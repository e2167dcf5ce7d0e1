import { createHash } from 'node:crypto';
import type { InvoiceLineFields } from '@cs/integrations';
import { z } from 'zod';
import { canTransition, collectionMethod, invoiceCurrency, invoiceDescription, invoiceDueDate, invoiceLines, invoiceStatus, type InvoiceStatus } from '../invoices/rules';
import type { Catalog } from './catalog';

/** One line as the invoice's synced state holds it: the connectors' line fields. */
export type InvoiceLineState = InvoiceLineFields;

/**
 * What we keep equal between our invoice and its copy in a system. `customer_id` is ours: the push
 * turns it into the customer's id there through the customer's mapping. Number, URLs and payments
 * are not here: they only ever come from the system (inbound), so they are never pushed.
 */
export interface InvoiceState {
  customer_id: number;
  currency: string;
  collection_method: 'charge_automatically' | 'send_invoice';
  due_date: string | null;
  description: string | null;
  lines: InvoiceLineState[];
  status: InvoiceStatus;
}

export const INVOICE_SYNCED_FIELDS = ['customer_id', 'currency', 'collection_method', 'due_date', 'description', 'lines', 'status'] as const satisfies readonly (keyof InvoiceState)[];

export const invoiceStateFields = z.object({
  customer_id: z.number().int().positive(),
  currency: invoiceCurrency,
  collection_method: collectionMethod,
  due_date: invoiceDueDate,
  description: invoiceDescription,
  lines: invoiceLines,
  status: invoiceStatus,
});

const dateOf = (v: unknown): string | null => {
  if (v === null || v === undefined || v === '') return null;
  if (v instanceof Date) return `${v.getFullYear()}-${String(v.getMonth() + 1).padStart(2, '0')}-${String(v.getDate()).padStart(2, '0')}`;
  return String(v).slice(0, 10);
};

/** The synced state of a row (invoiceRows below), of a mapping's last_synced_state, or of a record read there. */
export function invoiceState(row: Record<string, unknown>): InvoiceState {
  const lines = (Array.isArray(row.lines) ? row.lines : []) as Array<Record<string, unknown>>;
  return {
    customer_id: Number(row.customer_id),
    currency: String(row.currency ?? '').toLowerCase(),
    collection_method: row.collection_method === 'send_invoice' ? 'send_invoice' : 'charge_automatically',
    due_date: dateOf(row.due_date),
    description: typeof row.description === 'string' && row.description !== '' ? row.description : null,
    lines: lines.map((l) => ({ description: String(l.description ?? ''), quantity: Number(l.quantity), unit_amount: Number(l.unit_amount) })),
    status: invoiceStatus.catch('draft').parse(row.status),
  };
}

export function invoiceHash(state: InvoiceState | { deleted: true }): string {
  const base = 'deleted' in state ? ['deleted'] : INVOICE_SYNCED_FIELDS.map((f) => state[f]);
  return createHash('sha256').update(JSON.stringify(['invoice', ...base])).digest('hex');
}

/** An invoice row with its lines, as one relation (what the outbound push reads). */
const INVOICE_ROWS = `(select i.id, i.version, i.deleted_at, i.customer_id, i.currency, i.collection_method,
        to_char(i.due_date, 'YYYY-MM-DD') as due_date, i.description, i.status,
        coalesce((select jsonb_agg(jsonb_build_object('description', l.description, 'quantity', l.quantity, 'unit_amount', l.unit_amount) order by l.position)
                    from invoice_lines l where l.invoice_id = i.id), '[]'::jsonb) as lines
   from invoices i) invoice_rows`;

/**
 * The invoice catalog: a draft's fields and lines, and the status. Its deletion is a deleted draft
 * (the row stays, deleted_at set); its lifecycle is canTransition's (paid and void are terminal).
 */
export const invoiceCatalog: Catalog<InvoiceState> = {
  name: 'invoice',
  table: 'invoices',
  readFrom: INVOICE_ROWS,
  columns: [...INVOICE_SYNCED_FIELDS],
  fields: INVOICE_SYNCED_FIELDS,
  input: invoiceStateFields as unknown as Catalog<InvoiceState>['input'],
  state: invoiceState,
  sameField: (f, a, b) => JSON.stringify(a[f]) === JSON.stringify(b[f]),
  hash: invoiceHash,
  deletion: 'soft',
  deletedHash: invoiceHash({ deleted: true }),
  lifecycle: {
    field: 'status',
    terminal: ['paid', 'void'],
    canMove: (from, to) => canTransition(from as InvoiceStatus, to as InvoiceStatus),
  },
};
