import { invoiceSyncPage } from '@cs/domain';
import { defineRoute } from '../route';
import { errors } from './errors';
import { presentSystemState } from './present';
import { customersSyncQuery, invoicesSyncResponse } from './schemas';

/** The console's invoice table in one call: each invoice with what Stripe told us and its per-system state. */
export default defineRoute({
  method: 'get',
  path: '/api/v1/sync/invoices',
  operationId: 'listInvoiceSyncStates',
  summary: 'Live invoices, newest first, each with its number, status, amounts, hosted page and per-system sync state',
  tag: 'sync',
  query: customersSyncQuery,
  responses: { 200: { description: 'A page of invoices', schema: invoicesSyncResponse }, 401: errors[401], 422: errors[422] },
  async handler({ query, res, deps }) {
    const page = await invoiceSyncPage(deps.orm.em.fork(), query, deps.systems);
    res.json({ data: page.data.map((i) => ({ ...i, updated_at: i.updated_at.toISOString(), systems: i.systems.map(presentSystemState) })), has_more: page.has_more });
  },
});
