import type { IntegrationRegistry } from '@cs/integrations';
import type { inboundMessage, InboundMessage, ReliableConsumerOptions } from '@cs/kafka-schemas';
import { countSync, failureReason, parkReason, type FailureLike, type Logger, type SyncReason } from '@cs/platform';
import { entityOf } from './change-of';
import { messageLogger } from './message-log';

type Hooks = Pick<ReliableConsumerOptions<typeof inboundMessage>, 'onRetry' | 'onHeld' | 'onParked' | 'onParkFailed'>;

/** Parked for a person to decide (see ParkForReview): its own reason, not a "permanent error". */
const REVIEW_CODES = new Set(['conflict', 'unknown_system']);

/** The system label: only systems we integrate, so a bad message cannot add label values. */
export const systemLabel = (registry: IntegrationRegistry, msg: InboundMessage | undefined) =>
  msg && registry.has(msg.payload.system) ? msg.payload.system : 'unknown';

/** The catalog label: what the message says it is about (countSync bounds it). */
const catalogLabel = (registry: IntegrationRegistry, msg: InboundMessage | undefined) => (msg && registry.has(msg.payload.system) ? entityOf(registry, msg) : 'other');

const parkLabel = (failure: FailureLike | undefined): SyncReason => (failure && REVIEW_CODES.has(failure.code) ? 'review' : parkReason(failure));

/** What the consumer tells us about retries, waits and parking: one log line each, and sync_messages_total (not for waits). */
export function consumerHooks(registry: IntegrationRegistry, logger: Logger): Hooks {
  return {
    onRetry: (ctx, failure, delayMs, msg) => {
      countSync('inbound', systemLabel(registry, msg), 'retried', failureReason(failure), catalogLabel(registry, msg));
      messageLogger(logger, msg).warn({ key: ctx.key, attempt: ctx.attempt, code: failure.code, error: failure.message, delayMs }, 'retrying');
    },
    onHeld: (ctx, failure, msg) => {
      messageLogger(logger, msg).info({ key: ctx.key, attempt: ctx.attempt, code: failure.code }, 'waiting for the circuit to close (no attempt spent)');
    },
    onParked: (req, failure) => {
      countSync('inbound', systemLabel(registry, req.message), 'parked', parkLabel(failure), catalogLabel(registry, req.message));
      messageLogger(logger, req.message).error({ key: req.key, code: req.code, attempts: req.attempts, reason: req.reason }, 'parked as a dead letter');
    },
    onParkFailed: (req, err, failure) => {
      countSync('inbound', systemLabel(registry, req.message), 'failed', parkLabel(failure), catalogLabel(registry, req.message));
      messageLogger(logger, req.message).error({ err, key: req.key, code: req.code }, 'could not park; Kafka will deliver the message again');
    },
  };
}
