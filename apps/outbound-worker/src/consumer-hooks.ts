import type { customerEventMessage, invoiceEventMessage, ReliableConsumerOptions } from '@cs/kafka-schemas';
import { countSync, failureReason, parkReason, type Logger } from '@cs/platform';
import { outboundMessageLogger as messageLogger } from '@cs/domain';

type Hooks<S extends OutboundSchema> = Pick<ReliableConsumerOptions<S>, 'onRetry' | 'onHeld' | 'onParked' | 'onParkFailed'>;
type OutboundSchema = typeof customerEventMessage | typeof invoiceEventMessage;

/** What the consumer tells us about retries, waits and parking: one log line each, and sync_messages_total (not for waits). */
export function consumerHooks<S extends OutboundSchema = typeof customerEventMessage>(system: string, logger: Logger, catalog = 'customer'): Hooks<S> {
  return {
    onRetry: (ctx, failure, delayMs, msg) => {
      countSync('outbound', system, 'retried', failureReason(failure), catalog);
      messageLogger(logger, msg).warn({ key: ctx.key, attempt: ctx.attempt, code: failure.code, error: failure.message, delayMs }, 'retrying');
    },
    onHeld: (ctx, failure, msg) => {
      messageLogger(logger, msg).info({ key: ctx.key, attempt: ctx.attempt, code: failure.code }, 'waiting for the circuit to close (no attempt spent)');
    },
    onParked: (req, failure) => {
      countSync('outbound', system, 'parked', parkReason(failure), catalog);
      messageLogger(logger, req.message).error({ key: req.key, code: req.code, attempts: req.attempts, reason: req.reason }, 'parked as a dead letter');
    },
    onParkFailed: (req, err, failure) => {
      countSync('outbound', system, 'failed', parkReason(failure), catalog);
      messageLogger(logger, req.message).error({ err, key: req.key, code: req.code }, 'could not park; Kafka will deliver the message again');
    },
  };
}
