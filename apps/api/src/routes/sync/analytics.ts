import { syncAnalytics } from '@cs/domain';
import { defineRoute } from '../route';
import { analyticsQuery, analyticsResponse } from './analytics-schemas';
import { errors } from './errors';

export default defineRoute({
  method: 'get',
  path: '/api/v1/sync/analytics',
  operationId: 'getSyncAnalytics',
  summary: 'Sync attempts, success rate, time-to-sync p50/p95/p99 and errors by code, per system, catalog and direction, in time buckets',
  tag: 'sync',
  query: analyticsQuery,
  responses: { 200: { description: 'The window, bucketed', schema: analyticsResponse }, 401: errors[401], 422: errors[422] },
  async handler({ query, res, deps }) {
    const a = await syncAnalytics(deps.orm.em.fork(), query);
    res.json({
      from: query.from.toISOString(),
      to: query.to.toISOString(),
      bucket: query.bucket,
      totals: a.totals,
      series: a.series.map((s) => ({ ...s, buckets: s.buckets.map((b) => ({ ...b, start: b.start.toISOString() })) })),
      errors: a.errors,
    });
  },
});
