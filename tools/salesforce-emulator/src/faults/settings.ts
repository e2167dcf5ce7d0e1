/**
 * Runtime-adjustable misbehaviour of /services/data. Snake_case because this object is the JSON
 * of `GET/POST /_emulator/faults`, and one validator serves that route and startEmulator().
 */
export interface FaultSettings {
  /** Share (0..1) of REST requests answered 503 SERVER_UNAVAILABLE before any state change. */
  error_rate: number;
  /** Every REST and OAuth request answers 503. */
  outage: boolean;
  /** Added to every REST response. */
  latency_ms: number;
  /** The next N record writes fail with UNABLE_TO_LOCK_ROW (counts down). */
  lock_row_failures: number;
}

export const DEFAULT_FAULTS: Readonly<FaultSettings> = Object.freeze({ error_rate: 0, outage: false, latency_ms: 0, lock_row_failures: 0 });

export class FaultValidationError extends Error {}

function number(name: string, value: unknown, max = Number.POSITIVE_INFINITY, integer = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max || (integer && !Number.isInteger(value))) {
    throw new FaultValidationError(`${name} must be ${integer ? 'an integer' : 'a number'} ${max === Number.POSITIVE_INFINITY ? '>= 0' : `between 0 and ${max}`}`);
  }
  return value;
}

/** Validates a partial update (unknown keys rejected) and returns the merged settings. */
export function mergeFaults(current: Readonly<FaultSettings>, patch: unknown): FaultSettings {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new FaultValidationError('faults must be a JSON object');
  const next: FaultSettings = { ...current };
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    switch (key) {
      case 'error_rate': next.error_rate = number(key, value, 1); break;
      case 'latency_ms': next.latency_ms = number(key, value); break;
      case 'lock_row_failures': next.lock_row_failures = number(key, value, Number.POSITIVE_INFINITY, true); break;
      case 'outage':
        if (typeof value !== 'boolean') throw new FaultValidationError('outage must be a boolean');
        next.outage = value;
        break;
      default: throw new FaultValidationError(`unknown fault setting: ${key}`);
    }
  }
  return next;
}

export class Faults {
  private current: FaultSettings;

  constructor(private readonly initial: Readonly<FaultSettings>) {
    this.current = { ...initial };
  }

  get settings(): Readonly<FaultSettings> {
    return this.current;
  }

  update(patch: unknown): FaultSettings {
    this.current = mergeFaults(this.current, patch);
    return { ...this.current };
  }

  restoreInitial(): void {
    this.current = { ...this.initial };
  }

  shouldFailRequest(): boolean {
    return this.current.error_rate > 0 && Math.random() < this.current.error_rate;
  }

  /** Consumes one injected UNABLE_TO_LOCK_ROW if any is left. */
  takeLockFailure(): boolean {
    if (this.current.lock_row_failures <= 0) return false;
    this.current.lock_row_failures--;
    return true;
  }
}
