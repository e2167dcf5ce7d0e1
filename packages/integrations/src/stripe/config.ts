import Stripe from 'stripe';

export interface StripeConfig {
  secretKey: string;
  /** Several during a rotation: a signature made with any of them is accepted. */
  webhookSecrets: string[];
  /** e.g. http://127.0.0.1:12111 for the emulator; unset means api.stripe.com. */
  apiBase?: string | undefined;
  timeoutMs?: number;
}

export function createStripeClient(config: StripeConfig): Stripe {
  const base = config.apiBase ? new URL(config.apiBase) : undefined;
  return new Stripe(config.secretKey, {
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
}
