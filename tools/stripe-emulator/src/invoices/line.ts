import type { Metadata } from '../customers/object';
import { amountOf, type InvoiceItemFields } from '../invoiceitems/object';

/** An invoice line is the view of one invoice item on its invoice (current API shape: `parent`, `pricing`). */
export interface LineSource {
  id: string;
  lineId: string;
  fields: InvoiceItemFields;
}

export interface InvoiceLineItem {
  id: string;
  object: 'line_item';
  amount: number;
  currency: string;
  description: string | null;
  discount_amounts: [];
  discountable: boolean;
  discounts: [];
  invoice: string;
  livemode: false;
  metadata: Metadata;
  parent: {
    invoice_item_details: { invoice_item: string; proration: false; proration_details: { credited_items: null }; subscription: null };
    subscription_item_details: null;
    type: 'invoice_item_details';
  };
  period: { end: number; start: number };
  pretax_credit_amounts: [];
  pricing: { type: 'price_details'; unit_amount_decimal: string };
  quantity: number;
  quantity_decimal: string;
  subscription: null;
  subtotal: number;
  taxes: [];
}

export function buildLine(source: LineSource, invoiceId: string): InvoiceLineItem {
  const amount = amountOf(source.fields);
  return {
    id: source.lineId,
    object: 'line_item',
    amount,
    currency: source.fields.currency,
    description: source.fields.description,
    discount_amounts: [],
    discountable: source.fields.discountable,
    discounts: [],
    invoice: invoiceId,
    livemode: false,
    metadata: source.fields.metadata,
    parent: {
      invoice_item_details: { invoice_item: source.id, proration: false, proration_details: { credited_items: null }, subscription: null },
      subscription_item_details: null,
      type: 'invoice_item_details',
    },
    period: source.fields.period,
    pretax_credit_amounts: [],
    pricing: { type: 'price_details', unit_amount_decimal: source.fields.unitAmountDecimal },
    quantity: Math.trunc(Number(source.fields.quantityDecimal)),
    quantity_decimal: source.fields.quantityDecimal,
    subscription: null,
    subtotal: amount,
    taxes: [],
  };
}
