import type { CircuitBreaker, CircuitState } from './circuit-breaker';
import { circuitState, circuitTransitions } from './metric-catalog';

const GAUGE: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };

/** circuit_breaker_state and circuit_breaker_transitions_total for one breaker, from now on. */
export function observeCircuit(breaker: CircuitBreaker): void {
  const system = breaker.system;
  circuitState().set({ system }, GAUGE[breaker.state]);
  // Every series present from the start, so an alert on increase() sees the first opening.
  for (const to of Object.keys(GAUGE)) circuitTransitions().inc({ system, to }, 0);
  breaker.onChange(({ state }) => {
    circuitState().set({ system }, GAUGE[state]);
    circuitTransitions().inc({ system, to: state });
  });
}
