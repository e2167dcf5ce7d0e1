import { parseInvoiceItemCreate, parseInvoiceItemParams } from '../invoiceitems/params';
import type { InvoiceItemFilter } from '../invoiceitems/store';
import { assertKnownParams, optionalBoolean, optionalString } from '../stripe/params';
import { pageRequest } from './cursor';
import type { ApiRequest, ApiResult } from './types';

const ok = (body: unknown): ApiResult => ({ status: 200, body });

const RETRIEVE_PARAMS = new Set(['expand']);
const DELETE_PARAMS = new Set<string>();
const LIST_PARAMS = new Set(['created', 'customer', 'customer_account', 'ending_before', 'expand', 'invoice', 'limit', 'pending', 'starting_after']);

export function createInvoiceItem({ state, params, origin }: ApiRequest): ApiResult {
  return ok(state.invoiceItems.create(parseInvoiceItemCreate(params), origin));
}

export function retrieveInvoiceItem({ state, params, id }: ApiRequest): ApiResult {
  assertKnownParams(params, RETRIEVE_PARAMS);
  return ok(state.invoiceItems.render(state.invoiceItems.require(id)));
}

export function updateInvoiceItem({ state, params, id, origin }: ApiRequest): ApiResult {
  const record = state.invoiceItems.require(id);
  return ok(state.invoiceItems.update(record, parseInvoiceItemParams(params, 'update'), origin));
}

export function deleteInvoiceItem({ state, params, id, origin }: ApiRequest): ApiResult {
  assertKnownParams(params, DELETE_PARAMS);
  return ok(state.invoiceItems.remove(state.invoiceItems.require(id), origin));
}

export function listInvoiceItems({ state, params }: ApiRequest): ApiResult {
  assertKnownParams(params, LIST_PARAMS);
  const page = pageRequest(params, 'invoiceitem', (id) => state.invoiceItemStore.get(id)?.seq);
  const filter: InvoiceItemFilter = {};
  const customer = optionalString(params, 'customer');
  if (customer !== undefined && customer !== '') filter.customer = customer;
  const invoice = optionalString(params, 'invoice');
  if (invoice !== undefined && invoice !== '') filter.invoice = invoice;
  const pending = optionalBoolean(params, 'pending');
  if (pending !== undefined) filter.pending = pending;
  const result = state.invoiceItemStore.list(page, filter);
  return ok({ object: 'list', data: result.items.map((r) => state.invoiceItems.render(r)), has_more: result.hasMore, url: '/v1/invoiceitems' });
}
