import { customerSyncPage } from '@cs/domain';
import { defineRoute } from '../route';
import { errors } from './errors';
import { presentSystemState } from './present';
import { customersSyncQuery, customersSyncResponse } from './schemas';

/** The console's customer table in one call, instead of the list plus one status call per row. */
export default defineRoute({
  method: 'get',
  path: '/api/v1/sync/customers',
  operationId: 'listCustomerSyncStates',
  summary: 'Live customers, newest first, each with its per-system sync state',
  tag: 'sync',
  query: customersSyncQuery,
  responses: { 200: { description: 'A page of customers', schema: customersSyncResponse }, 401: errors[401], 422: errors[422] },
  async handler({ query, res, deps }) {
    const page = await customerSyncPage(deps.orm.em.fork(), query, deps.systems);
    res.json({
      data: page.data.map((c) => ({ id: c.id, name: c.name, email: c.email, version: c.version, updated_at: c.updated_at.toISOString(), systems: c.systems.map(presentSystemState) })),
      has_more: page.has_more,
    });
  },
});
