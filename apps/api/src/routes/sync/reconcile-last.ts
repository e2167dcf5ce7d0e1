import { lastReconcileReport } from '@cs/domain';
import { AppError } from '@cs/platform';
import { defineRoute } from '../route';
import { errors } from './errors';
import { reconcileQuery, reconcileReportResponse } from './schemas';

export default defineRoute({
  method: 'get',
  path: '/api/v1/reconcile/last',
  operationId: 'getLastReconcileReport',
  summary: "A catalog's last reconciliation report (drift counts per kind and the first drifting rows); the customers' when no catalog is named",
  tag: 'sync',
  query: reconcileQuery,
  responses: {
    200: { description: 'The report', schema: reconcileReportResponse },
    401: errors[401],
    404: { description: 'No reconciliation of this catalog has run yet (with this system)' },
    422: errors[422],
  },
  async handler({ query, res, deps }) {
    const found = await lastReconcileReport(deps.orm.em.fork(), query.system, query.catalog);
    if (!found) throw new AppError(404, 'reconcile_report_not_found', `no ${query.catalog} reconciliation report${query.system ? ` for ${query.system}` : ''} yet`);
    res.json({ ...found.report, catalog: found.catalog, stored_at: found.updated_at.toISOString() });
  },
});
