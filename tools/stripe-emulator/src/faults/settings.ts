/**
 * Runtime-adjustable misbehaviour. Snake_case because this exact object is the JSON of
 * `GET/POST /_emulator/faults`, and one validator serves both that route and startEmulator().
 */
export interface FaultSettings {
  /** Token bucket over /v1 requests; 0 disables. */
  rate_limit_rps: number;
  /** Share (0..1) of /v1 requests answered 500 before any state change. */
  error_rate: number;
  /** Added to every /v1 response. */
  latency_ms: number;
  /** Every /v1 request fails: 503 (`error`) or a destroyed connection (`refuse`). */
  outage: boolean;
  outage_mode: 'error' | 'refuse';
  /** Regex source; matching emails get Stripe's `email_invalid` 400. */
  reject_email_pattern: string | null;
  /** Share (0..1) of webhook deliveries sent twice. */
  duplicate_webhooks: number;
  /** Hold each delivery 0–300 ms so later events can overtake earlier ones. */
  reorder_webhooks: boolean;
}

export const DEFAULT_FAULTS: Readonly<FaultSettings> = Object.freeze({
  rate_limit_rps: 0,
  error_rate: 0,
  latency_ms: 0,
  outage: false,
  outage_mode: 'error',
  reject_email_pattern: null,
  duplicate_webhooks: 0,
  reorder_webhooks: false,
});

export class FaultValidationError extends Error {}

function share(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new FaultValidationError(`${name} must be a number between 0 and 1`);
  }
  return value;
}

function nonNegative(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new FaultValidationError(`${name} must be a non-negative number`);
  }
  return value;
}

function bool(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new FaultValidationError(`${name} must be a boolean`);
  return value;
}

function pattern(value: unknown): string | null {
  if (value === null || value === '') return null;
  if (typeof value !== 'string') throw new FaultValidationError('reject_email_pattern must be a string (regex source) or null');
  try {
    new RegExp(value);
  } catch (err) {
    throw new FaultValidationError(`reject_email_pattern is not a valid regex: ${(err as Error).message}`);
  }
  return value;
}

/** Validates a partial update (unknown keys rejected) and returns the merged settings. */
export function mergeFaults(current: Readonly<FaultSettings>, patch: unknown): FaultSettings {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw new FaultValidationError('faults must be a JSON object');
  }
  const next: FaultSettings = { ...current };
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    switch (key) {
      case 'rate_limit_rps': next.rate_limit_rps = nonNegative(key, value); break;
      case 'error_rate': next.error_rate = share(key, value); break;
      case 'latency_ms': next.latency_ms = nonNegative(key, value); break;
      case 'outage': next.outage = bool(key, value); break;
      case 'outage_mode':
        if (value !== 'error' && value !== 'refuse') throw new FaultValidationError("outage_mode must be 'error' or 'refuse'");
        next.outage_mode = value;
        break;
      case 'reject_email_pattern': next.reject_email_pattern = pattern(value); break;
      case 'duplicate_webhooks': next.duplicate_webhooks = share(key, value); break;
      case 'reorder_webhooks': next.reorder_webhooks = bool(key, value); break;
      default: throw new FaultValidationError(`unknown fault setting: ${key}`);
    }
  }
  return next;
}
