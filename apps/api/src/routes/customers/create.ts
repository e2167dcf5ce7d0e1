import { defineRoute } from '../route';
import { apiChange } from '../../http/actor';
import { etag } from '../../http/versions';
import { errors } from './errors';
import { presentCustomer } from './present';
import { createBody, customerResponse } from './schemas';

export default defineRoute({
  method: 'post',
  path: '/api/v1/customers',
  operationId: 'createCustomer',
  summary: 'Create a customer (synced to every connected system)',
  tag: 'customers',
  body: createBody,
  responses: {
    201: { description: 'Created', schema: customerResponse },
    401: errors[401],
    409: errors[409],
    413: errors[413],
    415: errors[415],
    422: errors[422],
  },
  async handler({ body, res, deps }) {
    const customer = await deps.customers.create(body, apiChange(res));
    res
      .status(201)
      .location(`/api/v1/customers/${customer.id}`)
      .set('ETag', etag(customer.version))
      .json(presentCustomer(customer));
  },
});
