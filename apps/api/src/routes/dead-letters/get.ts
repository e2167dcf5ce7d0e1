import { defineRoute } from '../route';
import { idParamsOf } from '../params';
import { errors } from '../sync/errors';
import { presentDeadLetter } from './present';
import { deadLetterResponse } from './schemas';

export default defineRoute({
  method: 'get',
  path: '/api/v1/dead-letters/{id}',
  operationId: 'getDeadLetter',
  summary: 'One dead letter, with its (redacted) message',
  tag: 'dead-letters',
  params: idParamsOf('Dead letter id'),
  responses: { 200: { description: 'The dead letter', schema: deadLetterResponse }, 401: errors[401], 404: { description: 'No such dead letter' }, 422: errors[422] },
  async handler({ params, res, deps }) {
    res.json(presentDeadLetter(await deps.deadLetters.get(params.id)));
  },
});
