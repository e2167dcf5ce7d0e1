import { defineRoute } from '../route';
import { etag } from '../../http/versions';
import { errors } from './errors';
import { presentInvoiceDetail } from './present';
import { idParams, invoiceDetailResponse } from './schemas';

export default defineRoute({
  method: 'get',
  path: '/api/v1/invoices/{id}',
  operationId: 'getInvoice',
  summary: 'One invoice with its lines and external mappings',
  tag: 'invoices',
  params: idParams,
  responses: { 200: { description: 'The invoice', schema: invoiceDetailResponse }, 401: errors[401], 404: errors[404], 422: errors[422] },
  async handler({ params, res, deps }) {
    const found = await deps.invoices.get(params.id);
    res.set('ETag', etag(found.invoice.version)).json(presentInvoiceDetail(found));
  },
});
