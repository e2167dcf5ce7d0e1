import { DEFAULT_REDELIVERY_WINDOW_HOURS, type Connector } from '../connector';

export interface RedeliveryFloor {
  /** The longest redelivery window among the systems, in hours. */
  hours: number;
  /** The system that has it. */
  system: string;
}

/**
 * How long an external event id must be remembered so that any redelivery of it is recognised:
 * the longest redelivery window among the given (enabled) connectors; undefined for none.
 */
export function redeliveryFloor(connectors: readonly Connector[]): RedeliveryFloor | undefined {
  let floor: RedeliveryFloor | undefined;
  for (const c of connectors) {
    const hours = c.redeliveryWindowHours ?? DEFAULT_REDELIVERY_WINDOW_HOURS;
    if (!floor || hours > floor.hours) floor = { hours, system: c.system };
  }
  return floor;
}
