import { defineRoute, type Route, ifMatchHeader, versionedWriteErrors } from '../route';
import { apiChange } from '../../http/actor';
import { etag, expectedVersion } from '../../http/versions';
import { errors } from './errors';
import { presentCustomer } from './present';
import { customerResponse, idParams, patchBody, replaceBody } from './schemas';

/**
 * PUT (all fields) and PATCH (some) differ only in the body they accept: one route contract and
 * one handler for both, so their versions, errors and ETags cannot drift apart.
 */
function updateRoute(method: 'put' | 'patch', operationId: string, summary: string, body: typeof replaceBody | typeof patchBody): Route {
  return defineRoute({
    method,
    path: '/api/v1/customers/{id}',
    operationId,
    summary: `${summary} (If-Match or body version → 412 when stale; without either, last write wins)`,
    tag: 'customers',
    params: idParams,
    body: body as typeof patchBody,
    headers: ifMatchHeader,
    responses: {
      200: { description: 'Updated', schema: customerResponse },
      ...versionedWriteErrors(errors),
    },
    async handler({ params, body: input, req, res, deps }) {
      const { version, ...fields } = input;
      const expected = expectedVersion(req.get('if-match'), version);
      const customer = await deps.customers.update(params.id, fields, expected, apiChange(res));
      res.set('ETag', etag(customer.version)).json(presentCustomer(customer));
    },
  });
}

export const replace = updateRoute('put', 'replaceCustomer', 'Replace a customer', replaceBody);
export const patch = updateRoute('patch', 'updateCustomer', 'Change some fields of a customer', patchBody);
