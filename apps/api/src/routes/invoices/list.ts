import { z } from 'zod';
import { defineRoute } from '../route';
import { errors } from './errors';
import { presentInvoice } from './present';
import { invoiceResponse, listQuery } from './schemas';

export default defineRoute({
  method: 'get',
  path: '/api/v1/invoices',
  operationId: 'listInvoices',
  summary: 'List invoices (without their lines), ordered by id',
  tag: 'invoices',
  query: listQuery,
  responses: { 200: { description: 'A page of invoices', schema: z.array(invoiceResponse) }, 401: errors[401], 422: errors[422] },
  async handler({ query, res, deps }) {
    const rows = await deps.invoices.list({ skip: query.skip, limit: query.limit, customerId: query.customer_id, status: query.status });
    res.json(rows.map(presentInvoice));
  },
});
