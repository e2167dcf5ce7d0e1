import type { Address, Customer, Metadata, Shipping, TaxExempt } from '../customers/object';
import type { InvoiceLineItem } from './line';

export type InvoiceStatus = 'draft' | 'open' | 'paid' | 'uncollectible' | 'void';
export type CollectionMethod = 'charge_automatically' | 'send_invoice';

export interface StatusTransitions {
  finalized_at: number | null;
  marked_uncollectible_at: number | null;
  paid_at: number | null;
  voided_at: number | null;
}

/** The customer fields an invoice shows: live while it is a draft, frozen once finalized. */
export interface CustomerSnapshot {
  address: Address | null;
  email: string | null;
  name: string | null;
  phone: string | null;
  shipping: Shipping | null;
  tax_exempt: TaxExempt;
}

export const snapshotOf = (c: Customer): CustomerSnapshot => ({
  address: c.address,
  email: c.email,
  name: c.name,
  phone: c.phone,
  shipping: c.shipping,
  tax_exempt: c.tax_exempt,
});

/**
 * What the emulator stores for an invoice. The serialised object is derived from it (and from
 * its items and customer) on every read, because a draft's lines and customer fields follow
 * those objects. States are replaced, never mutated.
 */
export interface InvoiceState {
  readonly id: string;
  readonly customer: string;
  readonly created: number;
  currency: string;
  status: InvoiceStatus;
  collection_method: CollectionMethod;
  auto_advance: boolean;
  description: string | null;
  footer: string | null;
  statement_descriptor: string | null;
  metadata: Metadata;
  due_date: number | null;
  /** A custom number set by the caller, or the one assigned at finalization. */
  number: string | null;
  attempt_count: number;
  attempted: boolean;
  amount_paid: number;
  status_transitions: StatusTransitions;
  effective_at: number | null;
  ending_balance: number | null;
  hostedToken: string | null;
  frozenCustomer: CustomerSnapshot | null;
  /** Item ids in line order. */
  lineItemIds: readonly string[];
}

export type Invoice = ReturnType<typeof buildInvoice>;

export interface DeletedInvoice {
  id: string;
  object: 'invoice';
  deleted: true;
}

/** The invoice object embeds its first 10 lines; the rest come from `GET /v1/invoices/:id/lines`. */
export const EMBEDDED_LINES = 10;

const hostedUrl = (token: string | null): string | null => (token === null ? null : `https://invoice.stripe.com/i/acct_emulator/${token}`);
const pdfUrl = (token: string | null): string | null => (token === null ? null : `https://pay.stripe.com/invoice/acct_emulator/${token}/pdf`);

/** Totals come from the lines alone: the emulator models no tax, discounts, credit or balance. */
export function buildInvoice(state: InvoiceState, lines: readonly InvoiceLineItem[], customer: CustomerSnapshot, accountCountry: string) {
  const subtotal = lines.reduce((sum, line) => sum + line.amount, 0);
  const amountDue = Math.max(0, subtotal);
  const shown = state.frozenCustomer ?? customer;
  // Key order mirrors Stripe's JSON so raw payloads look familiar when diffed.
  return {
    id: state.id,
    object: 'invoice' as const,
    account_country: accountCountry,
    account_name: null,
    account_tax_ids: null,
    amount_due: amountDue,
    amount_overpaid: 0,
    amount_paid: state.amount_paid,
    amount_remaining: amountDue - state.amount_paid,
    amount_shipping: 0,
    application: null,
    attempt_count: state.attempt_count,
    attempted: state.attempted,
    auto_advance: state.auto_advance,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: 'manual' as const,
    collection_method: state.collection_method,
    created: state.created,
    currency: state.currency,
    custom_fields: null,
    customer: state.customer,
    customer_account: null,
    customer_address: shown.address,
    customer_email: shown.email,
    customer_name: shown.name,
    customer_phone: shown.phone,
    customer_shipping: shown.shipping,
    customer_tax_exempt: shown.tax_exempt,
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: state.description,
    discounts: [],
    due_date: state.due_date,
    effective_at: state.effective_at,
    ending_balance: state.ending_balance,
    footer: state.footer,
    from_invoice: null,
    hosted_invoice_url: hostedUrl(state.hostedToken),
    invoice_pdf: pdfUrl(state.hostedToken),
    issuer: { type: 'self' as const },
    last_finalization_error: null,
    latest_revision: null,
    lines: {
      object: 'list' as const,
      data: lines.slice(0, EMBEDDED_LINES),
      has_more: lines.length > EMBEDDED_LINES,
      total_count: lines.length,
      url: `/v1/invoices/${state.id}/lines`,
    },
    livemode: false as const,
    metadata: state.metadata,
    next_payment_attempt: null,
    number: state.number,
    on_behalf_of: null,
    // Removed from the API in 2025-03-31.basil; kept because integrations still read it.
    paid: state.status === 'paid',
    parent: null,
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: state.created,
    period_start: state.created,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: state.statement_descriptor,
    status: state.status,
    status_transitions: state.status_transitions,
    subtotal,
    subtotal_excluding_tax: subtotal,
    test_clock: null,
    total: subtotal,
    total_discount_amounts: [],
    total_excluding_tax: subtotal,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: state.created,
  };
}

export const deletedInvoiceStub = (id: string): DeletedInvoice => ({ id, object: 'invoice', deleted: true });
