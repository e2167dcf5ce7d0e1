import { unavailable } from '@cs/platform';
import { apiKeyName } from '../../http/actor';
import { defineRoute } from '../route';
import { idParamsOf } from '../params';
import { errors } from '../sync/errors';
import { presentDeadLetter } from './present';
import { deadLetterResponse, replayBody } from './schemas';

export default defineRoute({
  method: 'post',
  path: '/api/v1/dead-letters/{id}/replay',
  operationId: 'replayDeadLetter',
  summary: 'Send a parked message back onto its topic, through the normal path; fix the cause first',
  tag: 'dead-letters',
  params: idParamsOf('Dead letter id'),
  body: replayBody,
  bodyOptional: true,
  responses: {
    200: { description: 'Re-published and marked replayed', schema: deadLetterResponse },
    401: errors[401],
    404: { description: 'No such dead letter' },
    409: errors[409],
    413: errors[413],
    415: errors[415],
    422: errors[422],
    503: errors[503],
  },
  async handler({ params, body, res, deps }) {
    // The publish happens inside the row's locked transaction: if it fails, the row stays parked.
    const republish: typeof deps.republish = (topic, key, envelope) =>
      deps.republish(topic, key, envelope).catch((err: unknown) => {
        deps.logger.warn({ err, requestId: res.locals.requestId, deadLetterId: params.id, topic }, 'dead-letter replay: publish failed');
        throw unavailable('kafka_unavailable', 'could not publish to Kafka; the message stays parked, try again');
      });
    await deps.deadLetters.replay(params.id, republish, body.note ?? `replayed via the API (request ${res.locals.requestId})`, apiKeyName(res));
    res.json(presentDeadLetter(await deps.deadLetters.get(params.id))); // as stored: with its note and resolved_at
  },
});
