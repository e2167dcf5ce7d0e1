import { parseInvoiceCreate, parseInvoiceParams } from '../invoices/params';
import { assertKnownParams, createdParam, limitParam, optionalBoolean, optionalEnum, optionalString } from '../stripe/params';
import { pageInOrder } from '../stripe/pagination';
import type { InvoiceFilter } from '../invoices/store';
import { cursorParam, pageRequest } from './cursor';
import type { ApiRequest, ApiResult } from './types';

const ok = (body: unknown): ApiResult => ({ status: 200, body });

const EXPAND_ONLY = new Set(['expand']);
const DELETE_PARAMS = new Set<string>();
const FINALIZE_PARAMS = new Set(['auto_advance', 'expand']);
const PAY_PARAMS = new Set(['expand', 'forgive', 'mandate', 'off_session', 'paid_out_of_band', 'payment_method', 'source']);
const LIST_PARAMS = new Set(['collection_method', 'created', 'customer', 'customer_account', 'due_date', 'ending_before', 'expand', 'limit', 'starting_after', 'status', 'subscription']);
const LINES_PARAMS = new Set(['ending_before', 'expand', 'limit', 'starting_after']);
const STATUSES = ['draft', 'open', 'void', 'paid', 'uncollectible'] as const;

export function createInvoice({ state, params, origin }: ApiRequest): ApiResult {
  return ok(state.invoices.create(parseInvoiceCreate(params), origin));
}

export function retrieveInvoice({ state, params, id }: ApiRequest): ApiResult {
  assertKnownParams(params, EXPAND_ONLY);
  return ok(state.invoices.render(state.invoices.require(id, 'invoice')));
}

export function updateInvoice({ state, params, id, origin }: ApiRequest): ApiResult {
  const record = state.invoices.require(id);
  return ok(state.invoices.update(record, parseInvoiceParams(params, 'update'), Object.keys(params), origin));
}

export function deleteInvoice({ state, params, id, origin }: ApiRequest): ApiResult {
  assertKnownParams(params, DELETE_PARAMS);
  return ok(state.invoices.remove(state.invoices.require(id, 'invoice'), origin));
}

export function finalizeInvoice({ state, params, id, origin }: ApiRequest): ApiResult {
  assertKnownParams(params, FINALIZE_PARAMS);
  return ok(state.invoiceTransitions.finalize(state.invoices.require(id), optionalBoolean(params, 'auto_advance'), origin));
}

export function payInvoice({ state, params, id, origin }: ApiRequest): ApiResult {
  assertKnownParams(params, PAY_PARAMS);
  const outOfBand = optionalBoolean(params, 'paid_out_of_band') ?? false;
  return ok(state.invoiceTransitions.pay(state.invoices.require(id), { outOfBand }, origin));
}

export function voidInvoice({ state, params, id, origin }: ApiRequest): ApiResult {
  assertKnownParams(params, EXPAND_ONLY);
  return ok(state.invoiceTransitions.void(state.invoices.require(id), origin));
}

export function markUncollectible({ state, params, id, origin }: ApiRequest): ApiResult {
  assertKnownParams(params, EXPAND_ONLY);
  return ok(state.invoiceTransitions.markUncollectible(state.invoices.require(id), origin));
}

export function sendInvoice({ state, params, id, origin }: ApiRequest): ApiResult {
  assertKnownParams(params, EXPAND_ONLY);
  return ok(state.invoiceTransitions.send(state.invoices.require(id, 'invoice'), origin));
}

export function listInvoices({ state, params }: ApiRequest): ApiResult {
  assertKnownParams(params, LIST_PARAMS);
  const page = pageRequest(params, 'invoice', (id) => state.invoiceStore.get(id)?.seq);
  const filter: InvoiceFilter = {};
  const customer = optionalString(params, 'customer');
  if (customer !== undefined && customer !== '') filter.customer = customer;
  const status = optionalEnum(params, 'status', STATUSES);
  if (status !== undefined) filter.status = status;
  const method = optionalEnum(params, 'collection_method', ['charge_automatically', 'send_invoice'] as const);
  if (method !== undefined) filter.collectionMethod = method;
  const dueDate = createdParam(params, 'due_date');
  if (dueDate !== undefined) filter.dueDate = dueDate;
  // No invoice belongs to a subscription here, so that filter matches nothing.
  const subscription = optionalString(params, 'subscription');
  const result = subscription !== undefined && subscription !== '' ? { items: [], hasMore: false } : state.invoiceStore.list(page, filter);
  return ok({ object: 'list', data: result.items.map((r) => state.invoices.render(r)), has_more: result.hasMore, url: '/v1/invoices' });
}

export function listInvoiceLines({ state, params, id }: ApiRequest): ApiResult {
  assertKnownParams(params, LINES_PARAMS);
  const record = state.invoices.require(id, 'invoice');
  const lines = state.invoiceView.lines(record.state);
  const position = (lineId: string): number | undefined => {
    const at = lines.findIndex((line) => line.id === lineId);
    return at === -1 ? undefined : at;
  };
  const page: Parameters<typeof pageInOrder>[1] = { limit: limitParam(params) };
  const after = cursorParam(params, 'starting_after', 'invoice line item', position);
  if (after !== undefined) page.startingAfter = after;
  const before = cursorParam(params, 'ending_before', 'invoice line item', position);
  if (before !== undefined) page.endingBefore = before;
  const result = pageInOrder(lines, page);
  return ok({ object: 'list', data: result.items, has_more: result.hasMore, total_count: lines.length, url: `/v1/invoices/${record.id}/lines` });
}
