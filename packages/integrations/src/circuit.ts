import { CircuitBreaker, CircuitOpenError, type CircuitSettings } from '@cs/platform';
import type { ErrorClass, Integration, IntegrationCatalogs } from './types';

/** A failure's code for the breaker when it is the system's (ErrorClass.systemDown), else null. */
function systemFailureOf(integration: Integration) {
  return (err: unknown): string | null => {
    const failure = integration.classifyError(err);
    if (!failure.systemDown) return null;
    return failure.status !== undefined ? `${failure.code} (${failure.status})` : failure.code;
  };
}

/** Every method of `target` runs through the breaker; its other properties (objectType, fieldMap) are as they are. */
function guarded<T extends object>(target: T, breaker: CircuitBreaker): T {
  return new Proxy(target, {
    get(obj, prop) {
      const value: unknown = Reflect.get(obj, prop);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => breaker.call(() => (value as (...a: unknown[]) => Promise<unknown>).apply(obj, args));
    },
  });
}

/** A breaker for one system, probing it with the connector's own ping (the call /health/ready makes). */
export function circuitFor(integration: Integration, settings: CircuitSettings): CircuitBreaker {
  return new CircuitBreaker(integration.system, { ...settings, probe: () => integration.ping(), failureOf: systemFailureOf(integration) });
}

/**
 * The integration with its calls behind `breaker`: every catalog adapter's calls (the outbound
 * push, the inbound refetch, backfill, reconcile) and its change feed's polls. While the circuit is
 * not closed they throw CircuitOpenError at once, classified `circuit_open` (systemDown). `ping`
 * is left as it is: health reports the system as it is, and the breaker probes with it.
 */
export function guardIntegration(integration: Integration, breaker: CircuitBreaker): Integration {
  const catalogs: IntegrationCatalogs = {};
  if (integration.catalogs.customer) catalogs.customer = guarded(integration.catalogs.customer, breaker);
  if (integration.catalogs.invoice) catalogs.invoice = guarded(integration.catalogs.invoice, breaker);
  const classifyError = (err: unknown): ErrorClass =>
    err instanceof CircuitOpenError ? { retryable: true, systemDown: true, code: 'circuit_open', message: err.message } : integration.classifyError(err);
  return {
    system: integration.system,
    catalogs,
    toNeutralChange: (event) => integration.toNeutralChange(event),
    ...(integration.feed ? { feed: guarded(integration.feed, breaker) } : {}),
    // A push stream keeps itself open and reconnects on its own (its follower's backoff).
    ...(integration.stream ? { stream: integration.stream } : {}),
    classifyError,
    ping: () => integration.ping(),
    ...(integration.holdNonUrgent ? { holdNonUrgent: () => integration.holdNonUrgent!() } : {}),
  };
}
