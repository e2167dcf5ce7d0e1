import { defineRoute } from '../route';
import { apiChange } from '../../http/actor';
import { etag } from '../../http/versions';
import { errors } from './errors';
import { presentInvoiceWithLines } from './present';
import { createBody, invoiceWithLinesResponse } from './schemas';

export default defineRoute({
  method: 'post',
  path: '/api/v1/invoices',
  operationId: 'createInvoice',
  summary: 'Create a draft invoice with its lines (totals are computed from the lines)',
  tag: 'invoices',
  body: createBody,
  responses: {
    201: { description: 'Created, as a draft', schema: invoiceWithLinesResponse },
    401: errors[401],
    413: errors[413],
    415: errors[415],
    422: { description: 'Invalid input, or a customer_id that is not a live customer; details lists every problem' },
  },
  async handler({ body, res, deps }) {
    const { customer_id, ...draft } = body;
    const created = await deps.invoices.create(customer_id, draft, apiChange(res));
    res
      .status(201)
      .location(`/api/v1/invoices/${created.invoice.id}`)
      .set('ETag', etag(created.invoice.version))
      .json(presentInvoiceWithLines(created));
  },
});
