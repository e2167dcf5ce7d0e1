import type { Logger } from '@cs/platform';

/**
 * One child logger per message: every line about it (the outcome, each retry, parking) carries
 * the change's trace id, so `grep <X-Request-Id>` follows one change from the API to Stripe.
 */
export function outboundMessageLogger(logger: Logger, msg: { trace_id: string; id: string; payload?: unknown } | undefined): Logger {
  if (!msg) return logger;
  // Every catalog's payload names its record (customer_id, invoice_id): the log line keeps it.
  const ids = Object.fromEntries(Object.entries((msg.payload ?? {}) as Record<string, unknown>).filter(([k]) => k.endsWith('_id')));
  return logger.child({ traceId: msg.trace_id, eventId: msg.id, ...camel(ids) });
}

const camel = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()), v]));
