import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The one Prometheus registry of this process. Our own, not prom-client's global one, so that a
 * library registering metrics of its own cannot collide with ours or leak into /metrics.
 */
export const registry = new Registry();

let enabled = false;
let defaultsOn = false;

export interface MetricsOptions {
  /** The `service` label on every series: api, webhook-gateway, outbound-worker, inbound-worker. */
  service: string;
  /** env METRICS: when false nothing is served and no periodic refresher runs. */
  enabled: boolean;
}

/**
 * Called once at start by each app, before its HTTP app is built: `createHttpApp` adds the
 * request histogram and `GET /metrics` only when metrics are on. Metrics are still recorded in
 * memory when off (cheap); they are simply never served.
 */
export function initMetrics({ service, enabled: on }: MetricsOptions): void {
  enabled = on;
  if (!on) return;
  registry.setDefaultLabels({ service });
  if (!defaultsOn) {
    collectDefaultMetrics({ register: registry });
    defaultsOn = true;
  }
}

export function metricsEnabled(): boolean {
  return enabled;
}

/** The registry in Prometheus text format, with its content type. */
export async function metricsText(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}

/** Creates a metric on first use, so a process only exposes the metrics it actually records. */
export function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}
