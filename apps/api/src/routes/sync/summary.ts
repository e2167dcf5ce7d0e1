import { syncSummary } from '@cs/domain';
import { defineRoute } from '../route';
import { errors } from './errors';
import { summaryResponse } from './schemas';

export default defineRoute({
  method: 'get',
  path: '/api/v1/sync/summary',
  operationId: 'getSyncSummary',
  summary: 'Live counts for the console: customers, mappings, recent sync outcomes, parked messages, outbox backlog, last drift',
  tag: 'sync',
  responses: { 200: { description: 'The counts, as of generated_at', schema: summaryResponse }, 401: errors[401] },
  async handler({ res, deps }) {
    const s = await syncSummary(deps.orm.em.fork());
    res.json({ ...s, generated_at: s.generated_at.toISOString() });
  },
});
