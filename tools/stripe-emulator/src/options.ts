import { systemClock, type Clock } from './clock';
import type { FaultSettings } from './faults/settings';

export interface WebhookEndpointInput {
  url: string;
  /** Signing secret; generated (`whsec_…`) when omitted. */
  secret?: string;
}

export interface EmulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Endpoints registered at start. */
  webhookEndpoints?: WebhookEndpointInput[];
  /** Initial fault settings (same keys as `POST /_emulator/faults`). */
  faults?: Partial<FaultSettings>;
  /** Attempts per delivery before giving up; default 10. */
  webhookMaxAttempts?: number;
  /** Deliveries in flight at once; default 8. */
  webhookConcurrency?: number;
  /** First retry delay, doubled per attempt; default 500 ms. */
  webhookRetryInitialMs?: number;
  /** Retry delay cap; default 30 s. */
  webhookRetryMaxMs?: number;
  /** Per-attempt timeout; default 10 s. */
  webhookTimeoutMs?: number;
  /** Maximum random hold with `reorder_webhooks`; default 300 ms. */
  webhookReorderMaxMs?: number;
  /** `api_version` on events and the default `Stripe-Version` header. */
  apiVersion?: string;
  /** Wall clock in ms for `created` and idempotency expiry; tests can inject a fake one. */
  clock?: Clock;
}

export interface ResolvedOptions {
  port: number;
  host: string;
  webhookEndpoints: WebhookEndpointInput[];
  faults: Partial<FaultSettings>;
  webhookMaxAttempts: number;
  webhookConcurrency: number;
  webhookRetryInitialMs: number;
  webhookRetryMaxMs: number;
  webhookTimeoutMs: number;
  webhookReorderMaxMs: number;
  apiVersion: string;
  clock: Clock;
}

/** The API version pinned by the stripe SDK this emulator is tested against (23.1.0). */
export const DEFAULT_API_VERSION = '2026-10-28.endive';

function positiveInt(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw new TypeError(`${name} must be an integer >= ${min}`);
  return value;
}

export function resolveOptions(options: EmulatorOptions): ResolvedOptions {
  return {
    port: positiveInt('port', options.port, 0, 0),
    host: options.host ?? '127.0.0.1',
    webhookEndpoints: options.webhookEndpoints ?? [],
    faults: options.faults ?? {},
    webhookMaxAttempts: positiveInt('webhookMaxAttempts', options.webhookMaxAttempts, 10),
    webhookConcurrency: positiveInt('webhookConcurrency', options.webhookConcurrency, 8),
    webhookRetryInitialMs: positiveInt('webhookRetryInitialMs', options.webhookRetryInitialMs, 500, 0),
    webhookRetryMaxMs: positiveInt('webhookRetryMaxMs', options.webhookRetryMaxMs, 30_000, 0),
    webhookTimeoutMs: positiveInt('webhookTimeoutMs', options.webhookTimeoutMs, 10_000),
    webhookReorderMaxMs: positiveInt('webhookReorderMaxMs', options.webhookReorderMaxMs, 300, 0),
    apiVersion: options.apiVersion ?? DEFAULT_API_VERSION,
    clock: options.clock ?? systemClock,
  };
}
