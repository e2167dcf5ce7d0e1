import { defineRoute } from '../route';
import { errors } from '../sync/errors';
import { presentDeadLetter } from './present';
import { deadLetterListResponse, listQuery } from './schemas';

export default defineRoute({
  method: 'get',
  path: '/api/v1/dead-letters',
  operationId: 'listDeadLetters',
  summary: 'Messages the workers gave up on, newest first (parked by default)',
  tag: 'dead-letters',
  query: listQuery,
  responses: { 200: { description: 'A page of dead letters', schema: deadLetterListResponse }, 401: errors[401], 422: errors[422] },
  async handler({ query, res, deps }) {
    // One row more than asked says whether there is a next page, without a count.
    const rows = await deps.deadLetters.list({ status: query.status, system: query.system, skip: query.skip, limit: query.limit + 1 });
    res.json({ data: rows.slice(0, query.limit).map(presentDeadLetter), has_more: rows.length > query.limit });
  },
});
