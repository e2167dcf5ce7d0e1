import { defineRoute, ifMatchHeader } from '../route';
import { apiChange } from '../../http/actor';
import { ifMatchVersion } from '../../http/versions';
import { errors } from './errors';
import { idParams } from './schemas';

export default defineRoute({
  method: 'delete',
  path: '/api/v1/invoices/{id}',
  operationId: 'deleteInvoice',
  summary: 'Delete a draft invoice (an invoice past draft is voided instead)',
  tag: 'invoices',
  params: idParams,
  headers: ifMatchHeader,
  responses: { 204: { description: 'Deleted' }, 401: errors[401], 404: errors[404], 409: errors[409], 412: errors[412], 422: errors[422] },
  async handler({ params, req, res, deps }) {
    await deps.invoices.remove(params.id, ifMatchVersion(req.get('if-match')), apiChange(res));
    res.status(204).end();
  },
});
