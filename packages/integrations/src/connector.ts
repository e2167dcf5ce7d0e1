import type { z } from 'zod';
import type { ExternalCall, Integration, WebhookVerifier } from './types';

/** What the apps give every connector they build: hooks that keep this package free of metrics. */
export interface ConnectorHooks {
  onCall?: ((call: ExternalCall) => void) | undefined;
}

/** How fast we may call a system: one declaration per connector, read by every app and job. */
export interface ConnectorLimits {
  /** Writes per second (outbound pushes). */
  writesPerSec: number;
  /** Reads per second (catch-up, backfill, reconcile). */
  readsPerSec: number;
}

/**
 * One external system, declared once: its environment, how to build its client, how its webhooks
 * are verified, its rate limits. The apps, the CLI and the jobs iterate the enabled connectors
 * (SYNC_SYSTEMS) and never name a system, so adding one changes no file under apps/.
 */
export interface Connector<E extends Record<string, unknown> = Record<string, unknown>, W extends Record<string, unknown> = Record<string, unknown>> {
  readonly system: string;
  /** What /health/ready says when `ping` succeeds ("authenticated"). */
  readonly okText: string;
  /** What calling the system needs (the workers, the CLI, the API's health); parsed only when enabled. */
  readonly env: z.ZodType<E>;
  /** What verifying its webhooks needs (the gateway); absent when the system sends none. */
  readonly webhookEnv?: z.ZodType<W>;
  connect(env: E, hooks: ConnectorHooks): Integration;
  webhookVerifier?(env: W): WebhookVerifier;
  limits(env: E): ConnectorLimits;
  /**
   * How long after first sending an event the system may send it again (webhook retries, a
   * stream's replay retention), in hours: the inbound dedupe table keeps event ids at least this
   * long. Absent: DEFAULT_REDELIVERY_WINDOW_HOURS.
   */
  readonly redeliveryWindowHours?: number;
}

/** The redelivery window of a connector that declares none: the longest of the built-in ones (Stripe's 3 days, Salesforce CDC's 72 hours). */
export const DEFAULT_REDELIVERY_WINDOW_HOURS = 72;

/** Keeps the declaration's own types while it sits in a list of connectors. */
export function defineConnector<E extends Record<string, unknown>, W extends Record<string, unknown>>(connector: Connector<E, W>): Connector {
  return connector as unknown as Connector;
}
