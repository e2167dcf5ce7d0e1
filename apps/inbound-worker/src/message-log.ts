import type { InboundMessage } from '@cs/kafka-schemas';
import type { Logger } from '@cs/platform';

/**
 * One child logger per message: every line about it (the outcome, each retry, parking) carries
 * the trace id the gateway gave the webhook and the external event's id. The customer id is only
 * known once the event is applied; the outcome line adds it.
 */
export function messageLogger(logger: Logger, msg: InboundMessage | undefined): Logger {
  return msg ? logger.child({ traceId: msg.trace_id, eventId: msg.payload.event_id, externalId: msg.payload.object_id }) : logger;
}
