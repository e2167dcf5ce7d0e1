import { defineRoute } from '../route';
import { etag, expectedVersion } from '../../http/versions';
import { errors } from './errors';
import { presentCustomer } from './present';
import { customerResponse, idParams, replaceBody } from './schemas';

export default defineRoute({
  method: 'put',
  path: '/api/v1/customers/{id}',
  operationId: 'replaceCustomer',
  summary: 'Replace a customer (If-Match or body version → 412 when stale; without either, last write wins)',
  tag: 'customers',
  params: idParams,
  body: replaceBody,
  headers: [{ name: 'If-Match', description: 'The version you read, as an entity tag: "3"' }],
  responses: {
    200: { description: 'Updated', schema: customerResponse },
    401: errors[401],
    404: errors[404],
    409: errors[409],
    412: errors[412],
    413: errors[413],
    415: errors[415],
    422: errors[422],
  },
  async handler({ params, body, req, res, deps }) {
    const { version, ...fields } = body;
    const expected = expectedVersion(req.get('if-match'), version);
    const customer = await deps.customers.update(params.id, fields, expected, { origin: 'internal', traceId: res.locals.requestId });
    res.set('ETag', etag(customer.version)).json(presentCustomer(customer));
  },
});
