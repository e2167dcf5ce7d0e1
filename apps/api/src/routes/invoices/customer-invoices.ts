import { z } from 'zod';
import { defineRoute } from '../route';
import { idParams } from '../customers/schemas';
import { errors } from './errors';
import { presentInvoice } from './present';
import { customerListQuery, invoiceResponse } from './schemas';

export default defineRoute({
  method: 'get',
  path: '/api/v1/customers/{id}/invoices',
  operationId: 'listCustomerInvoices',
  summary: "A customer's invoices (without their lines), ordered by id",
  tag: 'invoices',
  params: idParams,
  query: customerListQuery,
  responses: {
    200: { description: 'A page of invoices', schema: z.array(invoiceResponse) },
    401: errors[401],
    404: { description: 'No such customer' },
    422: errors[422],
  },
  async handler({ params, query, res, deps }) {
    const rows = await deps.invoices.listOfCustomer(params.id, { skip: query.skip, limit: query.limit, status: query.status });
    res.json(rows.map(presentInvoice));
  },
});
