import { listSyncEvents } from '@cs/domain';
import { defineRoute } from '../route';
import { errors } from './errors';
import { presentSyncEvent } from './present';
import { syncEventsQuery, syncEventsResponse } from './schemas';

export default defineRoute({
  method: 'get',
  path: '/api/v1/sync-events',
  operationId: 'listSyncEvents',
  summary: 'The sync audit trail, newest first, filtered; keyset pages (before_id) stay stable while rows are added',
  tag: 'sync',
  query: syncEventsQuery,
  responses: { 200: { description: 'A page of sync events', schema: syncEventsResponse }, 401: errors[401], 422: errors[422] },
  async handler({ query, res, deps }) {
    const page = await listSyncEvents(deps.orm.em.fork(), {
      customerId: query.customer_id,
      system: query.system,
      status: query.status,
      direction: query.direction,
      from: query.from,
      to: query.to,
      beforeId: query.before_id,
      limit: query.limit,
    });
    res.json({ data: page.data.map(presentSyncEvent), next_before_id: page.next_before_id });
  },
});
