import Stripe from 'stripe';
import type { ExternalCall, FieldMap } from '../types';
import { reportCalls } from './call-hook';

export interface StripeConfig {
  secretKey: string;
  /** e.g. http://127.0.0.1:12111 for the emulator; unset means api.stripe.com. */
  apiBase?: string | undefined;
  timeoutMs?: number;
  /** Told about every HTTP answer from Stripe (method, status, elapsed time), e.g. to record metrics. */
  onCall?: ((call: ExternalCall) => void) | undefined;
  /** Each customer field's direction with Stripe; every field both ways when absent. */
  fieldMap?: FieldMap | undefined;
}

export function createStripeClient(config: StripeConfig): Stripe {
  const base = config.apiBase ? new URL(config.apiBase) : undefined;
  const stripe = new Stripe(config.secretKey, {
    // Retries are ours (with backoff, parking, audit), so the SDK makes exactly one attempt.
    maxNetworkRetries: 0,
    timeout: config.timeoutMs ?? 10_000,
    telemetry: false,
    appInfo: { name: 'customer-sync', version: '1.0.0' },
    ...(base
      ? {
          host: base.hostname,
          port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
          protocol: base.protocol.replace(':', '') as 'http' | 'https',
        }
      : {}),
  });
  if (config.onCall) reportCalls(stripe, config.onCall);
  return stripe;
}
