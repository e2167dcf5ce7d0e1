import type { InboundMessage } from '@cs/kafka-schemas';
import { factsOf } from './change-of';
import type { Logger } from '@cs/platform';

/**
 * One child logger per message: every line about it (the outcome, each retry, parking) carries
 * the trace id the gateway gave the webhook and the external event's id. The customer id is only
 * known once the event is applied; the outcome line adds it.
 */
export function messageLogger(logger: Logger, msg: InboundMessage | undefined): Logger {
  if (!msg) return logger;
  const { eventId, externalId } = factsOf(msg);
  return logger.child({ traceId: msg.trace_id, eventId, externalId });
}
