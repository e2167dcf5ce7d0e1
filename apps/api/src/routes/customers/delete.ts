import { defineRoute, ifMatchHeader } from '../route';
import { apiChange } from '../../http/actor';
import { ifMatchVersion } from '../../http/versions';
import { errors } from './errors';
import { idParams } from './schemas';

export default defineRoute({
  method: 'delete',
  path: '/api/v1/customers/{id}',
  operationId: 'deleteCustomer',
  summary: 'Delete a customer (the deletion is synced to every connected system)',
  tag: 'customers',
  params: idParams,
  headers: ifMatchHeader,
  responses: { 204: { description: 'Deleted' }, 401: errors[401], 404: errors[404], 412: errors[412], 422: errors[422] },
  async handler({ params, req, res, deps }) {
    await deps.customers.remove(params.id, ifMatchVersion(req.get('if-match')), apiChange(res));
    res.status(204).end();
  },
});
