import { defineRoute, type Route, ifMatchHeader, versionedWriteErrors } from '../route';
import { apiChange } from '../../http/actor';
import { etag, expectedVersion } from '../../http/versions';
import { errors } from './errors';
import { presentInvoiceWithLines } from './present';
import { idParams, invoiceWithLinesResponse, patchBody, replaceBody } from './schemas';

/** PUT and PATCH share one contract and handler, as the customer routes do; both only on a draft. */
function updateRoute(method: 'put' | 'patch', operationId: string, summary: string, body: typeof replaceBody | typeof patchBody): Route {
  return defineRoute({
    method,
    path: '/api/v1/invoices/{id}',
    operationId,
    summary: `${summary}, while it is a draft (If-Match or body version → 412 when stale)`,
    tag: 'invoices',
    params: idParams,
    body: body as typeof patchBody,
    headers: ifMatchHeader,
    responses: {
      200: { description: 'Updated', schema: invoiceWithLinesResponse },
      ...versionedWriteErrors(errors),
    },
    async handler({ params, body: input, req, res, deps }) {
      const { version, ...fields } = input;
      const expected = expectedVersion(req.get('if-match'), version);
      const updated = await deps.invoices.update(params.id, fields, expected, apiChange(res));
      res.set('ETag', etag(updated.invoice.version)).json(presentInvoiceWithLines(updated));
    },
  });
}

export const replace = updateRoute('put', 'replaceInvoice', 'Replace a draft invoice’s fields and lines', replaceBody);
export const patch = updateRoute('patch', 'updateInvoice', 'Change some fields (or all lines) of a draft invoice', patchBody);
