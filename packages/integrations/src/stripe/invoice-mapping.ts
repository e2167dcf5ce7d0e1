import type Stripe from 'stripe';
import { deletedInvoice } from '../deleted-invoice';
import type { ExternalInvoice, InvoiceLineFields, InvoiceStatusName } from '../types';

/**
 * A due date (YYYY-MM-DD) as Stripe's timestamp: the end of that day, UTC, so the whole day is
 * the customer's (Stripe refuses a due date in the past, and the start of today is already past).
 */
export function dueDateToUnix(date: string): number {
  return Math.floor(Date.parse(`${date}T23:59:59Z`) / 1000);
}

export function unixToDueDate(ts: number | null | undefined): string | null {
  return ts ? new Date(ts * 1000).toISOString().slice(0, 10) : null;
}

/** A Stripe line in our terms: the unit amount is Stripe's pricing decimal, else the amount per unit. */
export function lineFromStripe(line: Stripe.InvoiceLineItem): InvoiceLineFields {
  const quantity = line.quantity ?? 1;
  const decimal = (line as { pricing?: { unit_amount_decimal?: unknown } | null }).pricing?.unit_amount_decimal;
  const unit = decimal !== undefined && decimal !== null ? Number(String(decimal)) : Math.round(line.amount / Math.max(quantity, 1));
  return { description: line.description ?? '', quantity, unit_amount: unit };
}

const STATUSES: readonly InvoiceStatusName[] = ['draft', 'open', 'paid', 'void', 'uncollectible'];

/** A Stripe invoice (its lines read in full by the caller) → our neutral shape. */
export function invoiceFromStripe(inv: Stripe.Invoice | Stripe.DeletedInvoice, lines: InvoiceLineFields[]): ExternalInvoice {
  if ('deleted' in inv && inv.deleted) return deletedInvoice(inv.id);
  const live = inv as Stripe.Invoice;
  const internal = Number(live.metadata?.internal_invoice_id);
  const status = STATUSES.includes(live.status as InvoiceStatusName) ? (live.status as InvoiceStatusName) : 'draft';
  const customer = typeof live.customer === 'string' ? live.customer : (live.customer?.id ?? '');
  return {
    externalId: live.id!,
    internalId: Number.isInteger(internal) && internal > 0 ? internal : null,
    deleted: false,
    createdTs: live.created,
    customer,
    currency: live.currency,
    collection_method: live.collection_method === 'send_invoice' ? 'send_invoice' : 'charge_automatically',
    due_date: unixToDueDate(live.due_date),
    description: live.description ? live.description : null,
    lines,
    status,
    number: live.number ?? null,
    hosted_invoice_url: live.hosted_invoice_url ?? null,
    invoice_pdf: live.invoice_pdf ?? null,
    amount_due: live.amount_due,
    amount_paid: live.amount_paid,
    amount_remaining: live.amount_remaining,
    paid_at: live.status_transitions?.paid_at ?? null,
  };
}

/** The lifecycle calls that take a Stripe invoice from `from` to `to`; none when `to` is behind or not ours to make. */
export type InvoiceStep = 'finalize' | 'void' | 'mark_uncollectible';
const STEPS: Partial<Record<InvoiceStatusName, Partial<Record<InvoiceStatusName, InvoiceStep[]>>>> = {
  draft: { open: ['finalize'], void: ['finalize', 'void'], uncollectible: ['finalize', 'mark_uncollectible'] },
  open: { void: ['void'], uncollectible: ['mark_uncollectible'] },
  uncollectible: { void: ['void'] },
};

/** Payment is Stripe's: `paid` is never pushed, and nothing moves back (a paid or void invoice stays). */
export function stepsTo(from: InvoiceStatusName, to: InvoiceStatusName): InvoiceStep[] {
  return STEPS[from]?.[to] ?? [];
}
