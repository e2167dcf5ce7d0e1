import type { Metadata } from '../customers/object';

/**
 * The invoice item as Stripe serialises it (current API shape: `pricing` instead of `price`,
 * no expansions). Items without a Price carry only `pricing.unit_amount_decimal`.
 */
export interface InvoiceItem {
  id: string;
  object: 'invoiceitem';
  amount: number;
  currency: string;
  customer: string;
  customer_account: null;
  date: number;
  description: string | null;
  discountable: boolean;
  discounts: string[];
  invoice: string | null;
  livemode: false;
  metadata: Metadata;
  parent: null;
  period: { end: number; start: number };
  pricing: { type: 'price_details'; unit_amount_decimal: string };
  proration: false;
  quantity: number;
  quantity_decimal: string;
  tax_rates: [];
  test_clock: null;
}

export interface DeletedInvoiceItem {
  id: string;
  object: 'invoiceitem';
  deleted: true;
}

/** What an item is made of; `amount` is derived from unit amount × quantity. */
export interface InvoiceItemFields {
  currency: string;
  description: string | null;
  discountable: boolean;
  metadata: Metadata;
  period: { end: number; start: number };
  /** Decimal string in minor units, at most 12 decimal places. */
  unitAmountDecimal: string;
  /** Decimal string, at most 12 decimal places. */
  quantityDecimal: string;
}

/** Minor units are integers: fractional unit amounts or quantities round half up, as Stripe's do. */
export function amountOf(fields: Pick<InvoiceItemFields, 'unitAmountDecimal' | 'quantityDecimal'>): number {
  return Math.round(Number(fields.unitAmountDecimal) * Number(fields.quantityDecimal));
}

export function buildInvoiceItem(id: string, customer: string, date: number, invoice: string | null, fields: InvoiceItemFields): InvoiceItem {
  return {
    id,
    object: 'invoiceitem',
    amount: amountOf(fields),
    currency: fields.currency,
    customer,
    customer_account: null,
    date,
    description: fields.description,
    discountable: fields.discountable,
    discounts: [],
    invoice,
    livemode: false,
    metadata: fields.metadata,
    parent: null,
    period: fields.period,
    pricing: { type: 'price_details', unit_amount_decimal: fields.unitAmountDecimal },
    proration: false,
    quantity: Math.trunc(Number(fields.quantityDecimal)),
    quantity_decimal: fields.quantityDecimal,
    tax_rates: [],
    test_clock: null,
  };
}

export const deletedInvoiceItemStub = (id: string): DeletedInvoiceItem => ({ id, object: 'invoiceitem', deleted: true });
