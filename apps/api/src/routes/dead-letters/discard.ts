import { apiKeyName } from '../../http/actor';
import { defineRoute } from '../route';
import { idParamsOf } from '../params';
import { errors } from '../sync/errors';
import { presentDeadLetter } from './present';
import { deadLetterResponse, discardBody } from './schemas';

export default defineRoute({
  method: 'post',
  path: '/api/v1/dead-letters/{id}/discard',
  operationId: 'discardDeadLetter',
  summary: 'Drop a parked message for good, saying why (kept in the audit trail)',
  tag: 'dead-letters',
  params: idParamsOf('Dead letter id'),
  body: discardBody,
  responses: {
    200: { description: 'Marked discarded', schema: deadLetterResponse },
    401: errors[401],
    404: { description: 'No such dead letter' },
    409: { description: 'The dead letter is already resolved' },
    413: errors[413],
    415: errors[415],
    422: errors[422],
  },
  async handler({ params, body, res, deps }) {
    await deps.deadLetters.discard(params.id, body.reason, apiKeyName(res));
    res.json(presentDeadLetter(await deps.deadLetters.get(params.id))); // as stored: with resolved_at
  },
});
