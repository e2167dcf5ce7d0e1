import { BigIntType, EntitySchema } from '@mikro-orm/core';
import type { CollectionMethod, InvoiceStatus } from '../invoices/rules';

export interface Invoice {
  id: number;
  customerId: number;
  /** ISO 4217, lower-case (as Stripe writes it). */
  currency: string;
  status: InvoiceStatus;
  collectionMethod: CollectionMethod;
  /** YYYY-MM-DD; set exactly when collectionMethod is send_invoice. */
  dueDate: string | null;
  description: string | null;
  /** Stripe's invoice number: null until Stripe finalizes the invoice. */
  number: string | null;
  /** Minor units. Computed from the lines, never taken from input. */
  amountDue: number;
  amountPaid: number;
  amountRemaining: number;
  hostedInvoiceUrl: string | null;
  invoicePdf: string | null;
  paidAt: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** A deleted draft's tombstone, so that its deletion can still be synced. */
  deletedAt: Date | null;
}

export interface InvoiceLine {
  id: number;
  invoiceId: number;
  description: string;
  quantity: number;
  /** Minor units. */
  unitAmount: number;
  /** 0-based order on the invoice. */
  position: number;
}

// Amounts are bigint columns read as numbers: the checks keep them within Number.MAX_SAFE_INTEGER.
const money = () => ({ type: new BigIntType('number'), default: 0 });

export const InvoiceSchema = new EntitySchema<Invoice>({
  name: 'Invoice',
  tableName: 'invoices',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    customerId: { type: 'integer', fieldName: 'customer_id' },
    currency: { type: 'string', length: 3 },
    status: { type: 'string', length: 20, default: 'draft' },
    collectionMethod: { type: 'string', length: 30, fieldName: 'collection_method' },
    dueDate: { type: 'date', fieldName: 'due_date', nullable: true },
    description: { type: 'string', length: 1000, nullable: true },
    number: { type: 'string', length: 100, nullable: true },
    amountDue: { ...money(), fieldName: 'amount_due' },
    amountPaid: { ...money(), fieldName: 'amount_paid' },
    amountRemaining: { ...money(), fieldName: 'amount_remaining' },
    hostedInvoiceUrl: { type: 'text', fieldName: 'hosted_invoice_url', nullable: true },
    invoicePdf: { type: 'text', fieldName: 'invoice_pdf', nullable: true },
    paidAt: { type: 'Date', fieldName: 'paid_at', nullable: true },
    version: { type: 'integer', version: true },
    createdAt: { type: 'Date', fieldName: 'created_at', defaultRaw: 'now()', onCreate: () => new Date() },
    updatedAt: { type: 'Date', fieldName: 'updated_at', defaultRaw: 'now()', onCreate: () => new Date(), onUpdate: () => new Date() },
    deletedAt: { type: 'Date', fieldName: 'deleted_at', nullable: true },
  },
});

export const InvoiceLineSchema = new EntitySchema<InvoiceLine>({
  name: 'InvoiceLine',
  tableName: 'invoice_lines',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    invoiceId: { type: 'integer', fieldName: 'invoice_id' },
    description: { type: 'string', length: 500 },
    quantity: { type: 'integer' },
    unitAmount: { type: new BigIntType('number'), fieldName: 'unit_amount' },
    position: { type: 'integer' },
  },
});
