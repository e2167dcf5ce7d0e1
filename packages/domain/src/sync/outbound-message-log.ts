import type { CustomerEventMessage } from '@cs/kafka-schemas';
import type { Logger } from '@cs/platform';

/**
 * One child logger per message: every line about it (the outcome, each retry, parking) carries
 * the change's trace id, so `grep <X-Request-Id>` follows one change from the API to Stripe.
 */
export function outboundMessageLogger(logger: Logger, msg: CustomerEventMessage | undefined): Logger {
  return msg ? logger.child({ traceId: msg.trace_id, customerId: msg.payload.customer_id, eventId: msg.id }) : logger;
}
