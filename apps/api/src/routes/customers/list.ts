import { z } from 'zod';
import { defineRoute } from '../route';
import { errors } from './errors';
import { presentCustomer } from './present';
import { customerResponse, listQuery } from './schemas';

export default defineRoute({
  method: 'get',
  path: '/api/v1/customers',
  operationId: 'listCustomers',
  summary: 'List customers, ordered by id',
  tag: 'customers',
  query: listQuery,
  responses: { 200: { description: 'A page of customers', schema: z.array(customerResponse) }, 401: errors[401], 422: errors[422] },
  async handler({ query, res, deps }) {
    const rows = await deps.customers.list({ skip: query.skip, limit: query.limit, email: query.email });
    res.json(rows.map(presentCustomer));
  },
});
