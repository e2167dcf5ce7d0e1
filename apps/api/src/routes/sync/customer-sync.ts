import { customerSyncStatus, DomainError } from '@cs/domain';
import { defineRoute } from '../route';
import { idParamsOf } from '../params';
import { errors } from './errors';
import { iso, presentSystemState } from './present';
import { customerSyncResponse } from './schemas';

export default defineRoute({
  method: 'get',
  path: '/api/v1/customers/{id}/sync',
  operationId: 'getCustomerSyncStatus',
  summary: 'Where one customer stands with each external system: mapping, latest attempt, parked messages (also for a deleted customer)',
  tag: 'sync',
  params: idParamsOf('Customer id'),
  responses: { 200: { description: 'The sync status', schema: customerSyncResponse }, 401: errors[401], 404: { description: 'No such customer, live or deleted' }, 422: errors[422] },
  async handler({ params, res, deps }) {
    const status = await customerSyncStatus(deps.orm.em.fork(), params.id, deps.systems);
    if (!status) throw new DomainError('customer_not_found', `customer ${params.id} not found`, { id: params.id });
    res.json({
      customer_id: status.customer_id,
      deleted: status.deleted_at !== null,
      deleted_at: iso(status.deleted_at),
      systems: status.systems.map(presentSystemState),
      dead_letters: status.dead_letters.map((d) => ({ ...d, created_at: d.created_at.toISOString() })),
    });
  },
});
