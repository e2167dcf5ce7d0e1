import { applyMetadataChange, parseMetadataParam, type MetadataChange } from '../customers/metadata';
import { invalidRequest, parameterMissing, resourceMissing, stringTooLong } from '../stripe/errors';
import { isParamMap, type ParamMap } from '../stripe/form';
import { assertKnownParams, optionalBoolean, optionalCurrency, optionalEnum, optionalInteger, optionalString } from '../stripe/params';
import type { CollectionMethod, InvoiceState } from './object';

/** What a create/update asks to change; absent keys stay as they are. */
export interface InvoicePatch {
  auto_advance?: boolean;
  collection_method?: CollectionMethod;
  days_until_due?: number;
  due_date?: number;
  description?: string | null;
  footer?: string | null;
  statement_descriptor?: string | null;
  number?: string | null;
  metadata?: MetadataChange;
}

export interface InvoiceCreate {
  customer: string;
  currency?: string;
  includePending: boolean;
  patch: InvoicePatch;
}

// Everything Stripe accepts here. Tax, discount, payment, rendering, shipping and Connect
// parameters are accepted and ignored so integrations that send them keep working.
const COMMON = ['account_tax_ids', 'application_fee_amount', 'auto_advance', 'automatic_tax', 'automatically_finalizes_at', 'collection_method', 'custom_fields', 'days_until_due', 'default_payment_method', 'default_source', 'default_tax_rates', 'description', 'discounts', 'due_date', 'effective_at', 'expand', 'footer', 'issuer', 'metadata', 'number', 'on_behalf_of', 'payment_settings', 'rendering', 'shipping_cost', 'shipping_details', 'statement_descriptor', 'transfer_data'];
const CREATE_PARAMS: ReadonlySet<string> = new Set([...COMMON, 'currency', 'customer', 'customer_account', 'from_invoice', 'pending_invoice_items_behavior', 'subscription']);
const UPDATE_PARAMS: ReadonlySet<string> = new Set(COMMON);
/** Once finalized, Stripe still lets these change; anything else is refused. */
export const FINALIZED_UPDATABLE: ReadonlySet<string> = new Set(['auto_advance', 'expand', 'metadata']);

const COLLECTION_METHODS: readonly CollectionMethod[] = ['charge_automatically', 'send_invoice'];
const DAY = 86_400;

function boundedString(params: ParamMap, name: string, max: number): string | null | undefined {
  const value = optionalString(params, name);
  if (value === undefined) return undefined;
  if (value === '') return null;
  if (value.length > max) throw stringTooLong(name, value, max);
  return value;
}

export function parseInvoiceParams(params: ParamMap, mode: 'create' | 'update'): InvoicePatch {
  assertKnownParams(params, mode === 'create' ? CREATE_PARAMS : UPDATE_PARAMS);
  if (params['days_until_due'] !== undefined && params['due_date'] !== undefined) {
    throw invalidRequest('You may only specify one of these parameters: days_until_due, due_date.', 'days_until_due', 'parameters_exclusive');
  }
  const patch: InvoicePatch = {};
  const autoAdvance = optionalBoolean(params, 'auto_advance');
  if (autoAdvance !== undefined) patch.auto_advance = autoAdvance;
  const method = optionalEnum(params, 'collection_method', COLLECTION_METHODS);
  if (method !== undefined) patch.collection_method = method;
  const days = optionalInteger(params, 'days_until_due');
  if (days !== undefined) {
    if (days < 0) throw invalidRequest('This value must be greater than or equal to 0.', 'days_until_due');
    patch.days_until_due = days;
  }
  const due = optionalInteger(params, 'due_date');
  if (due !== undefined) patch.due_date = due;
  for (const [name, max] of [['description', 5000], ['footer', 5000], ['statement_descriptor', 22], ['number', 26]] as const) {
    const value = boundedString(params, name, max);
    if (value !== undefined) patch[name] = value;
  }
  if (params['metadata'] !== undefined) patch.metadata = parseMetadataParam(params['metadata']);
  return patch;
}

export function parseInvoiceCreate(params: ParamMap): InvoiceCreate {
  const patch = parseInvoiceParams(params, 'create');
  // Subscriptions and revisions are not emulated, so any id names something missing.
  const subscription = optionalString(params, 'subscription');
  if (subscription !== undefined && subscription !== '') throw resourceMissing('subscription', subscription, 'subscription', 400);
  const from = params['from_invoice'];
  if (isParamMap(from)) throw resourceMissing('invoice', typeof from['invoice'] === 'string' ? from['invoice'] : '', 'from_invoice[invoice]', 400);
  const customer = optionalString(params, 'customer');
  if (customer === undefined || customer === '') throw parameterMissing('customer');
  const behavior = optionalEnum(params, 'pending_invoice_items_behavior', ['exclude', 'include'] as const);
  const create: InvoiceCreate = { customer, includePending: behavior === 'include', patch };
  const currency = optionalCurrency(params);
  if (currency !== undefined) create.currency = currency;
  return create;
}

/**
 * The next state of a draft. A `send_invoice` invoice needs a due date (given, or computed
 * from the invoice's creation), and a `charge_automatically` one has none.
 */
export function applyInvoicePatch(base: InvoiceState, patch: InvoicePatch): InvoiceState {
  const next: InvoiceState = { ...base };
  if (patch.auto_advance !== undefined) next.auto_advance = patch.auto_advance;
  if (patch.description !== undefined) next.description = patch.description;
  if (patch.footer !== undefined) next.footer = patch.footer;
  if (patch.statement_descriptor !== undefined) next.statement_descriptor = patch.statement_descriptor;
  if (patch.number !== undefined) next.number = patch.number;
  if (patch.metadata !== undefined) next.metadata = applyMetadataChange(base.metadata, patch.metadata);
  if (patch.collection_method !== undefined) next.collection_method = patch.collection_method;
  const dueGiven = patch.days_until_due !== undefined || patch.due_date !== undefined;
  if (next.collection_method === 'charge_automatically') {
    if (dueGiven) throw invalidRequest("You can only specify 'due_date' or 'days_until_due' if invoice collection method is 'send_invoice'.");
    next.due_date = null;
  } else {
    if (patch.due_date !== undefined) next.due_date = patch.due_date;
    if (patch.days_until_due !== undefined) next.due_date = base.created + patch.days_until_due * DAY;
    if (next.due_date === null) throw invalidRequest("If invoice collection method is 'send_invoice', you must specify 'due_date' or 'days_until_due'.");
  }
  return next;
}
