import express, { Router } from 'express';
import { WebhookVerificationError, type WebhookVerifier } from '@cs/integrations';
import { externalEventEnvelope, type BatchingPublisher } from '@cs/kafka-schemas';
import { AppError, type Logger } from '@cs/platform';

export interface WebhookDeps {
  verifiers: Map<string, WebhookVerifier>;
  publisher: Pick<BatchingPublisher, 'publish'>;
  logger: Logger;
  onEvent?: (system: string, outcome: 'published' | 'ignored' | 'rejected') => void;
}

/**
 * POST /api/v1/webhooks/{system}: verify the signature on the raw body, publish the event to
 * sync.inbound (key = the external object id, acks=all), and only then answer 200. Nothing else:
 * no database, no provider calls, so bursts are absorbed at Kafka's pace.
 */
export function webhookRouter(deps: WebhookDeps): Router {
  const router = Router();
  const raw = express.raw({ type: () => true, limit: '1mb' });
  router.post('/api/v1/webhooks/:system', raw, async (req, res) => {
    const system = String(req.params.system);
    const verifier = deps.verifiers.get(system);
    if (!verifier) throw new AppError(404, 'unknown_system', `no webhook endpoint for "${system}"`);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);

    let verified;
    try {
      verified = verifier.verify(body, req.headers);
    } catch (err) {
      if (!(err instanceof WebhookVerificationError)) throw err;
      deps.onEvent?.(system, 'rejected');
      throw new AppError(400, 'invalid_webhook', err.message);
    }

    // Stripe retries a non-2xx for days: acknowledge event types we do not sync, and count them.
    if (!verifier.handles(verified.eventType)) {
      deps.onEvent?.(system, 'ignored');
      res.json({ received: true, ignored: verified.eventType });
      return;
    }

    const env = externalEventEnvelope({ system, ...verified, via: 'webhook', traceId: res.locals.requestId });
    try {
      await deps.publisher.publish(verified.objectId, env);
    } catch (err) {
      deps.logger.error({ err, eventId: verified.eventId }, 'could not publish webhook event');
      throw new AppError(503, 'kafka_unavailable', 'event not stored; retry later', undefined, { 'Retry-After': '5' });
    }
    deps.onEvent?.(system, 'published');
    res.json({ received: true });
  });
  return router;
}
