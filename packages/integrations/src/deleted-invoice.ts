import type { ExternalInvoice } from './types';

/** An invoice gone from a system, in our neutral shape: only where it was (and our id, when known) remain. */
export function deletedInvoice(externalId: string, internalId: number | null = null): ExternalInvoice {
  return {
    externalId,
    internalId,
    deleted: true,
    createdTs: 0,
    customer: '',
    currency: '',
    collection_method: 'charge_automatically',
    due_date: null,
    description: null,
    lines: [],
    status: 'draft',
    number: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    amount_due: 0,
    amount_paid: 0,
    amount_remaining: 0,
    paid_at: null,
  };
}
