import type { InvoiceAction } from '@cs/domain';
import { defineRoute, type Route, ifMatchHeader, versionedWriteErrors } from '../route';
import { apiChange } from '../../http/actor';
import { etag, expectedVersion } from '../../http/versions';
import { errors } from './errors';
import { presentInvoiceWithLines } from './present';
import { actionBody, idParams, invoiceWithLinesResponse } from './schemas';

/** One route per lifecycle action; which status may take it is the domain's canTransition. */
function actionRoute(action: InvoiceAction, segment: string, operationId: string, summary: string, conflict: string): Route {
  return defineRoute({
    method: 'post',
    path: `/api/v1/invoices/{id}/${segment}`,
    operationId,
    summary,
    tag: 'invoices',
    params: idParams,
    body: actionBody,
    bodyOptional: true,
    headers: ifMatchHeader,
    responses: {
      200: { description: 'Done: the invoice in its new status', schema: invoiceWithLinesResponse },
      ...versionedWriteErrors({ ...errors, 409: { description: conflict } }),
    },
    async handler({ params, body, req, res, deps }) {
      const expected = expectedVersion(req.get('if-match'), body.version);
      const done = await deps.invoices.transition(params.id, action, expected, apiChange(res));
      res.set('ETag', etag(done.invoice.version)).json(presentInvoiceWithLines(done));
    },
  });
}

export const finalize = actionRoute('finalize', 'finalize', 'finalizeInvoice', 'Finalize a draft: draft → open (needs at least one line)', 'Not a draft, or a draft without lines');
export const voidInvoice = actionRoute('void', 'void', 'voidInvoice', 'Void an invoice: open or uncollectible → void (final)', 'Not open or uncollectible');
export const markUncollectible = actionRoute(
  'mark_uncollectible',
  'mark-uncollectible',
  'markInvoiceUncollectible',
  'Mark an invoice uncollectible: open → uncollectible',
  'Not open',
);
