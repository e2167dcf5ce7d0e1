import { parseCustomerParams } from '../customers/params';
import { searchCustomers } from '../customers/search';
import { parseSearchQuery } from '../customers/search-query';
import { parameterMissing, resourceMissing } from '../stripe/errors';
import { assertKnownParams, createdParam, limitParam, optionalString } from '../stripe/params';
import type { PageRequest } from '../stripe/pagination';
import type { ApiRequest, ApiResult } from './types';

const ok = (body: unknown): ApiResult => ({ status: 200, body });

const RETRIEVE_PARAMS = new Set(['expand']);
const DELETE_PARAMS = new Set<string>();
const LIST_PARAMS = new Set(['created', 'email', 'ending_before', 'expand', 'limit', 'starting_after', 'test_clock']);
const SEARCH_PARAMS = new Set(['expand', 'limit', 'page', 'query']);

export function createCustomer({ state, params, origin }: ApiRequest): ApiResult {
  const patch = parseCustomerParams(params, 'create', state.faults.rejectEmail);
  return ok(state.customers.create(patch, origin));
}

export function retrieveCustomer({ state, params, id }: ApiRequest): ApiResult {
  assertKnownParams(params, RETRIEVE_PARAMS);
  return ok(state.customers.retrieve(id));
}

export function updateCustomer({ state, params, id, origin }: ApiRequest): ApiResult {
  const patch = parseCustomerParams(params, 'update', state.faults.rejectEmail);
  return ok(state.customers.update(id, patch, origin));
}

export function deleteCustomer({ state, params, id, origin }: ApiRequest): ApiResult {
  assertKnownParams(params, DELETE_PARAMS);
  return ok(state.customers.remove(id, origin));
}

/** Resolves a pagination cursor to its position; unknown ids are a 400 on Stripe. */
function cursorSeq({ state, params }: ApiRequest, name: 'starting_after' | 'ending_before'): number | undefined {
  const id = optionalString(params, name);
  if (id === undefined || id === '') return undefined;
  const record = state.customerStore.get(id);
  if (record === undefined) throw resourceMissing('customer', id, name, 400);
  return record.seq;
}

export function listCustomers(request: ApiRequest): ApiResult {
  const { state, params } = request;
  assertKnownParams(params, LIST_PARAMS);
  const page: PageRequest = { limit: limitParam(params) };
  const created = createdParam(params);
  if (created !== undefined) page.created = created;
  const after = cursorSeq(request, 'starting_after');
  if (after !== undefined) page.startingAfter = after;
  const before = cursorSeq(request, 'ending_before');
  if (before !== undefined) page.endingBefore = before;
  const email = optionalString(params, 'email');
  const result = state.customerStore.list(page, email);
  return ok({ object: 'list', data: result.items.map((r) => r.customer), has_more: result.hasMore, url: '/v1/customers' });
}

export function searchCustomersHandler({ state, params }: ApiRequest): ApiResult {
  assertKnownParams(params, SEARCH_PARAMS);
  const query = optionalString(params, 'query');
  if (query === undefined) throw parameterMissing('query');
  const limit = limitParam(params);
  const page = optionalString(params, 'page');
  const result = searchCustomers(state.customerStore, parseSearchQuery(query), limit, page === '' ? undefined : page);
  return ok({
    object: 'search_result',
    data: result.data,
    has_more: result.hasMore,
    next_page: result.nextPage,
    url: '/v1/customers/search',
  });
}
