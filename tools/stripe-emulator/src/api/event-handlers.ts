import { invalidRequest, resourceMissing } from '../stripe/errors';
import { assertKnownParams, createdParam, limitParam, optionalString, optionalStringList } from '../stripe/params';
import type { PageRequest } from '../stripe/pagination';
import type { ApiRequest, ApiResult } from './types';

const LIST_PARAMS = new Set(['created', 'delivery_success', 'ending_before', 'expand', 'limit', 'starting_after', 'type', 'types']);
const RETRIEVE_PARAMS = new Set(['expand']);

function cursorSeq({ state, params }: ApiRequest, name: 'starting_after' | 'ending_before'): number | undefined {
  const id = optionalString(params, name);
  if (id === undefined || id === '') return undefined;
  const record = state.eventStore.get(id);
  if (record === undefined) throw resourceMissing('event', id, name, 400);
  return record.seq;
}

export function listEvents(request: ApiRequest): ApiResult {
  const { state, params } = request;
  assertKnownParams(params, LIST_PARAMS);
  const page: PageRequest = { limit: limitParam(params) };
  const created = createdParam(params);
  if (created !== undefined) page.created = created;
  const after = cursorSeq(request, 'starting_after');
  if (after !== undefined) page.startingAfter = after;
  const before = cursorSeq(request, 'ending_before');
  if (before !== undefined) page.endingBefore = before;
  const type = optionalString(params, 'type');
  const types = optionalStringList(params, 'types');
  if (type !== undefined && types !== undefined) {
    throw invalidRequest('You may only specify one of these parameters: type, types.', 'type', 'parameters_exclusive');
  }
  if (types !== undefined && types.length > 20) throw invalidRequest('You may pass at most 20 types.', 'types');
  const result = state.eventStore.list(page, type !== undefined ? [type] : types);
  return { status: 200, body: { object: 'list', data: result.items.map((r) => r.event), has_more: result.hasMore, url: '/v1/events' } };
}

export function retrieveEvent({ state, params, id }: ApiRequest): ApiResult {
  assertKnownParams(params, RETRIEVE_PARAMS);
  const record = state.eventStore.get(id);
  if (record === undefined) throw resourceMissing('event', id);
  return { status: 200, body: record.event };
}
