import { applyMetadataChange, parseMetadataParam, type MetadataChange } from '../customers/metadata';
import { invalidRequest, parameterMissing, parameterUnknown, resourceMissing, stringTooLong } from '../stripe/errors';
import { isParamMap, type ParamMap } from '../stripe/form';
import { assertKnownParams, optionalBoolean, optionalCurrency, optionalInteger, optionalString, parseInteger } from '../stripe/params';
import type { InvoiceItemFields } from './object';

/** What a create/update asks for; absent keys stay as they are. */
export interface InvoiceItemPatch {
  /** A fixed amount: the unit amount with quantity 1. */
  amount?: number;
  unitAmountDecimal?: string;
  quantityDecimal?: string;
  currency?: string;
  description?: string | null;
  discountable?: boolean;
  metadata?: MetadataChange;
  period?: { end: number; start: number };
}

export interface InvoiceItemCreate {
  customer?: string;
  invoice?: string;
  patch: InvoiceItemPatch;
}

// Parameters Stripe accepts; tax, discount and Connect ones are accepted and ignored.
const COMMON = ['amount', 'description', 'discountable', 'discounts', 'expand', 'metadata', 'period', 'price', 'price_data', 'pricing', 'quantity', 'quantity_decimal', 'tax_behavior', 'tax_code', 'tax_rates', 'unit_amount', 'unit_amount_decimal'];
const CREATE_PARAMS: ReadonlySet<string> = new Set([...COMMON, 'currency', 'customer', 'customer_account', 'invoice', 'subscription']);
const UPDATE_PARAMS: ReadonlySet<string> = new Set([...COMMON, 'invoicing_rules']);

const DECIMAL = /^-?\d{1,15}(\.\d{1,12})?$/;

/** Decimal strings are kept as sent, minus redundant zeros, like Stripe echoes them. */
function normalizeDecimal(value: string): string {
  if (!value.includes('.')) return String(Number.parseInt(value, 10));
  const trimmed = value.replace(/0+$/, '').replace(/\.$/, '');
  return trimmed.startsWith('-') ? `-${trimmed.slice(1).replace(/^0+(?=\d)/, '')}` : trimmed.replace(/^0+(?=\d)/, '');
}

function decimalParam(params: ParamMap, name: string, allowNegative: boolean): string | undefined {
  const value = optionalString(params, name);
  if (value === undefined) return undefined;
  if (!DECIMAL.test(value) || (!allowNegative && value.startsWith('-'))) throw invalidRequest(`Invalid decimal: ${value}`, name);
  return normalizeDecimal(value);
}

function exclusive(params: ParamMap, a: string, b: string): void {
  if (params[a] !== undefined && params[b] !== undefined) {
    throw invalidRequest(`You may only specify one of these parameters: ${a}, ${b}.`, a, 'parameters_exclusive');
  }
}

function parsePeriod(params: ParamMap): { end: number; start: number } | undefined {
  const value = params['period'];
  if (value === undefined) return undefined;
  if (!isParamMap(value)) throw invalidRequest('Invalid hash', 'period');
  for (const key of Object.keys(value)) if (key !== 'start' && key !== 'end') throw parameterUnknown(`period[${key}]`);
  if (value['start'] === undefined) throw parameterMissing('period[start]');
  if (value['end'] === undefined) throw parameterMissing('period[end]');
  const start = parseInteger('period[start]', value['start']);
  const end = parseInteger('period[end]', value['end']);
  if (end < start) throw invalidRequest('The period end must be greater than or equal to the period start.', 'period[end]');
  return { end, start };
}

/** Prices, products and subscriptions are not emulated, so any id names something missing. */
function refuseUnmodelled(params: ParamMap): void {
  const pricing = params['pricing'];
  if (isParamMap(pricing) && typeof pricing['price'] === 'string') throw resourceMissing('price', pricing['price'], 'pricing[price]', 400);
  if (typeof params['price'] === 'string') throw resourceMissing('price', params['price'], 'price', 400);
  const priceData = params['price_data'];
  if (isParamMap(priceData)) throw resourceMissing('product', typeof priceData['product'] === 'string' ? priceData['product'] : '', 'price_data[product]', 400);
  if (typeof params['subscription'] === 'string' && params['subscription'] !== '') throw resourceMissing('subscription', params['subscription'], 'subscription', 400);
}

export function parseInvoiceItemParams(params: ParamMap, mode: 'create' | 'update'): InvoiceItemPatch {
  assertKnownParams(params, mode === 'create' ? CREATE_PARAMS : UPDATE_PARAMS);
  refuseUnmodelled(params);
  exclusive(params, 'amount', 'unit_amount');
  exclusive(params, 'amount', 'unit_amount_decimal');
  exclusive(params, 'amount', 'quantity');
  exclusive(params, 'amount', 'quantity_decimal');
  exclusive(params, 'unit_amount', 'unit_amount_decimal');
  exclusive(params, 'quantity', 'quantity_decimal');
  const patch: InvoiceItemPatch = {};
  const amount = optionalInteger(params, 'amount');
  if (amount !== undefined) patch.amount = amount;
  const unitAmount = optionalInteger(params, 'unit_amount');
  const unitDecimal = unitAmount !== undefined ? String(unitAmount) : decimalParam(params, 'unit_amount_decimal', true);
  if (unitDecimal !== undefined) patch.unitAmountDecimal = unitDecimal;
  const quantity = optionalInteger(params, 'quantity');
  if (quantity !== undefined && quantity < 0) throw invalidRequest('This value must be greater than or equal to 0.', 'quantity');
  const quantityDecimal = quantity !== undefined ? String(quantity) : decimalParam(params, 'quantity_decimal', false);
  if (quantityDecimal !== undefined) patch.quantityDecimal = quantityDecimal;
  const currency = optionalCurrency(params);
  if (currency !== undefined) patch.currency = currency;
  const description = optionalString(params, 'description');
  if (description !== undefined) {
    if (description.length > 5000) throw stringTooLong('description', description, 5000);
    patch.description = description === '' ? null : description;
  }
  const discountable = optionalBoolean(params, 'discountable');
  if (discountable !== undefined) patch.discountable = discountable;
  const period = parsePeriod(params);
  if (period !== undefined) patch.period = period;
  if (params['metadata'] !== undefined) patch.metadata = parseMetadataParam(params['metadata']);
  return patch;
}

export function parseInvoiceItemCreate(params: ParamMap): InvoiceItemCreate {
  const patch = parseInvoiceItemParams(params, 'create');
  if (patch.amount === undefined && patch.unitAmountDecimal === undefined) throw parameterMissing('amount');
  const create: InvoiceItemCreate = { patch };
  const customer = optionalString(params, 'customer');
  if (customer !== undefined && customer !== '') create.customer = customer;
  const invoice = optionalString(params, 'invoice');
  if (invoice !== undefined && invoice !== '') create.invoice = invoice;
  if (create.customer === undefined && create.invoice === undefined) throw parameterMissing('customer');
  return create;
}

/** Applies a patch; a new fixed `amount` resets the quantity to 1, a new unit or quantity keeps the other. */
export function applyInvoiceItemPatch(base: InvoiceItemFields, patch: InvoiceItemPatch): InvoiceItemFields {
  const next: InvoiceItemFields = { ...base };
  if (patch.amount !== undefined) {
    next.unitAmountDecimal = String(patch.amount);
    next.quantityDecimal = '1';
  }
  if (patch.unitAmountDecimal !== undefined) next.unitAmountDecimal = patch.unitAmountDecimal;
  if (patch.quantityDecimal !== undefined) next.quantityDecimal = patch.quantityDecimal;
  if (patch.currency !== undefined) next.currency = patch.currency;
  if (patch.description !== undefined) next.description = patch.description;
  if (patch.discountable !== undefined) next.discountable = patch.discountable;
  if (patch.period !== undefined) next.period = patch.period;
  if (patch.metadata !== undefined) next.metadata = applyMetadataChange(base.metadata, patch.metadata);
  return next;
}
