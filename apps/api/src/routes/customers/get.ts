import { defineRoute } from '../route';
import { errors } from './errors';
import { presentCustomerDetail } from './present';
import { etag } from '../../http/versions';
import { customerDetailResponse, idParams } from './schemas';

export default defineRoute({
  method: 'get',
  path: '/api/v1/customers/{id}',
  operationId: 'getCustomer',
  summary: 'One customer with its external mappings',
  tag: 'customers',
  params: idParams,
  responses: { 200: { description: 'The customer', schema: customerDetailResponse }, 401: errors[401], 404: errors[404], 422: errors[422] },
  async handler({ params, res, deps }) {
    const found = await deps.customers.get(params.id);
    res.set('ETag', etag(found.customer.version)).json(presentCustomerDetail(found));
  },
});
