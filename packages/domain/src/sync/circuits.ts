import type { MikroORM } from '@mikro-orm/postgresql';
import { circuitFor, guardIntegration, IntegrationRegistry } from '@cs/integrations';
import { observeCircuit, type CircuitBreaker, type CircuitSettings, type CircuitSnapshot, type HealthCheck, type Logger } from '@cs/platform';
import { reportCircuits } from './circuit-reports';

export interface GuardedSystems {
  /** The same systems, each one's calls behind its breaker. */
  registry: IntegrationRegistry;
  breakers: ReadonlyMap<string, CircuitBreaker>;
  /** For /health/ready (advisory: an open circuit is the worker doing its job): `<system>_circuit`. */
  health: Record<string, HealthCheck>;
  stop(): Promise<void>;
}

/** A circuit's state in words, for /health/ready. */
export function describeCircuit(s: CircuitSnapshot): string {
  if (s.state === 'closed') return 'closed';
  const last = s.lastFailure ? `, last: ${s.lastFailure}` : '';
  if (s.state === 'half-open') return `half-open since ${s.since.toISOString()}: probing (${s.failures} failures in a row${last})`;
  return `open since ${s.since.toISOString()} (${s.failures} failures in a row${last}); next probe at ${s.nextProbeAt?.toISOString() ?? 'soon'}`;
}

/**
 * One circuit breaker per enabled system for this worker process: its calls guarded, its state in
 * metrics (circuit_breaker_state, circuit_breaker_transitions_total), the log, /health/ready and
 * the database (for the API's console: circuit-reports.ts).
 */
export function guardSystems(registry: IntegrationRegistry, settings: CircuitSettings, deps: { orm: MikroORM; logger: Logger; service: string }): GuardedSystems {
  const guarded = new IntegrationRegistry();
  const breakers = new Map<string, CircuitBreaker>();
  for (const system of registry.systems()) {
    const integration = registry.get(system);
    const breaker = circuitFor(integration, settings);
    const log = deps.logger.child({ module: 'circuit', system });
    let openedAt = 0;
    breaker.onChange((s, from) => {
      if (s.state === 'open' && from === 'closed') {
        openedAt = s.since.getTime();
        log.warn({ failures: s.failures, lastFailure: s.lastFailure, coolDownMs: settings.coolDownMs }, `circuit open: ${system} is not called until a probe passes; its messages wait`);
      } else if (s.state === 'closed') log.info({ openMs: Date.now() - openedAt }, `circuit closed: ${system} answers again; waiting messages go`);
      else log.debug({ state: s.state, failures: s.failures, lastFailure: s.lastFailure }, 'circuit probe');
    });
    observeCircuit(breaker);
    breakers.set(system, breaker);
    guarded.register(guardIntegration(integration, breaker));
  }
  const reports = reportCircuits(deps.orm, deps.service, breakers, deps.logger.child({ module: 'circuit' }));
  return {
    registry: guarded,
    breakers,
    health: Object.fromEntries([...breakers].map(([system, b]) => [`${system}_circuit`, async () => describeCircuit(b.snapshot())])),
    async stop() {
      for (const b of breakers.values()) b.stop();
      await reports.stop();
    },
  };
}
