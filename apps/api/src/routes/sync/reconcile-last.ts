import { lastReconcileReport } from '@cs/domain';
import { AppError } from '@cs/platform';
import { defineRoute } from '../route';
import { errors } from './errors';
import { reconcileQuery, reconcileReportResponse } from './schemas';

export default defineRoute({
  method: 'get',
  path: '/api/v1/reconcile/last',
  operationId: 'getLastReconcileReport',
  summary: 'The last reconciliation report (drift counts per kind and the first drifting rows)',
  tag: 'sync',
  query: reconcileQuery,
  responses: {
    200: { description: 'The report', schema: reconcileReportResponse },
    401: errors[401],
    404: { description: 'No reconciliation has run yet (for this system)' },
    422: errors[422],
  },
  async handler({ query, res, deps }) {
    const found = await lastReconcileReport(deps.orm.em.fork(), query.system);
    if (!found) throw new AppError(404, 'reconcile_report_not_found', `no reconciliation report${query.system ? ` for ${query.system}` : ''} yet`);
    res.json({ ...found.report, stored_at: found.updated_at.toISOString() });
  },
});
