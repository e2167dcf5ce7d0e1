import { Counter, Gauge, Histogram } from 'prom-client';
import { lazy, registry } from './metrics';

/**
 * Every metric our code records, in one place: docs/metrics.md describes them and
 * ops/prometheus/alerts.yml may use only these names (test/monitoring.test.ts checks).
 * Labels are bounded sets: never a customer id, a raw URL or an error message.
 */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const SYNC_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600];
const CALL_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const DEF = {
  httpRequestDuration: { name: 'http_request_duration_seconds', help: 'HTTP requests served, by matched route pattern', labelNames: ['method', 'route', 'status'] as const },
  syncLatency: { name: 'sync_latency_seconds', help: 'From the source event time to the change applied on the other side', labelNames: ['direction', 'system', 'catalog'] as const },
  syncMessages: { name: 'sync_messages_total', help: 'Sync messages handled, by outcome (retried counts each retry)', labelNames: ['direction', 'system', 'outcome', 'reason', 'catalog'] as const },
  outboxBacklog: { name: 'outbox_backlog', help: 'Outbox rows not yet published to Kafka', labelNames: [] as const },
  outboxOldestAge: { name: 'outbox_oldest_unpublished_age_seconds', help: 'Age of the oldest unpublished outbox row (0 when none)', labelNames: [] as const },
  outboxPublished: { name: 'outbox_published_total', help: 'Outbox rows published to Kafka by this relay', labelNames: [] as const },
  deadLettersParked: { name: 'dead_letters_parked', help: 'Dead letters waiting for an operator (status parked)', labelNames: [] as const },
  kafkaConsumerLag: { name: 'kafka_consumer_lag', help: 'Messages between the committed offset and the end of the partition', labelNames: ['group', 'topic', 'partition'] as const },
  externalCallDuration: { name: 'external_call_duration_seconds', help: 'HTTP calls to external systems, by API method and status', labelNames: ['system', 'method', 'status'] as const },
  externalQuotaUsed: { name: 'external_api_quota_used_ratio', help: "Share of the system's daily API quota used, as its last answer reported", labelNames: ['system'] as const },
  externalRateLimited: { name: 'external_rate_limited_total', help: 'External calls answered 429 (rate limited)', labelNames: ['system'] as const },
  apiThrottled: { name: 'api_requests_throttled_total', help: 'API requests refused with 429 by the per-key rate limit', labelNames: ['key'] as const },
  webhookEvents: { name: 'webhook_events_total', help: 'Webhook deliveries, by what the gateway did with them', labelNames: ['system', 'outcome'] as const },
  circuitState: { name: 'circuit_breaker_state', help: "Each external system's circuit breaker in this process: 0 closed, 1 half-open (probing), 2 open", labelNames: ['system'] as const },
  circuitTransitions: { name: 'circuit_breaker_transitions_total', help: 'Changes of state of the circuit breakers, by the state entered', labelNames: ['system', 'to'] as const },
  reconcileDrift: { name: 'reconcile_drift', help: 'Drift count of the last reconciliation report', labelNames: ['system', 'catalog'] as const },
  retentionRemoved: { name: 'retention_removed_rows_total', help: 'Rows the retention job removed, by table (processed_events, sync_events)', labelNames: ['table'] as const },
  retentionLastRun: { name: 'retention_last_run_timestamp_seconds', help: 'When the retention job last finished a pass (unix time)', labelNames: [] as const },
  dbPoolInUse: { name: 'db_pool_in_use', help: 'Database connections checked out of the pool', labelNames: [] as const },
  dbPoolWaiting: { name: 'db_pool_waiting', help: 'Requests waiting for a database connection', labelNames: [] as const },
  dbPoolMax: { name: 'db_pool_max', help: 'Size limit of the database pool', labelNames: [] as const },
};

export const METRIC_NAMES: readonly string[] = Object.values(DEF).map((d) => d.name);
const HISTOGRAMS = [DEF.httpRequestDuration, DEF.syncLatency, DEF.externalCallDuration].map((d) => d.name);

/** Every series name a scrape can show for our metrics (histograms add _bucket, _sum, _count). */
export function seriesNames(): string[] {
  return METRIC_NAMES.flatMap((n) => (HISTOGRAMS.includes(n) ? [n, `${n}_bucket`, `${n}_sum`, `${n}_count`] : [n]));
}

const registers = [registry];
export const httpRequestDuration = lazy(() => new Histogram({ ...DEF.httpRequestDuration, buckets: HTTP_BUCKETS, registers }));
export const syncLatency = lazy(() => new Histogram({ ...DEF.syncLatency, buckets: SYNC_BUCKETS, registers }));
export const syncMessages = lazy(() => new Counter({ ...DEF.syncMessages, registers }));
export const outboxBacklog = lazy(() => new Gauge({ ...DEF.outboxBacklog, registers }));
export const outboxOldestAge = lazy(() => new Gauge({ ...DEF.outboxOldestAge, registers }));
export const outboxPublished = lazy(() => new Counter({ ...DEF.outboxPublished, registers }));
export const deadLettersParked = lazy(() => new Gauge({ ...DEF.deadLettersParked, registers }));
export const kafkaConsumerLag = lazy(() => new Gauge({ ...DEF.kafkaConsumerLag, registers }));
export const externalCallDuration = lazy(() => new Histogram({ ...DEF.externalCallDuration, buckets: CALL_BUCKETS, registers }));
export const externalQuotaUsed = lazy(() => new Gauge({ ...DEF.externalQuotaUsed, registers }));
export const externalRateLimited = lazy(() => new Counter({ ...DEF.externalRateLimited, registers }));
export const apiThrottled = lazy(() => new Counter({ ...DEF.apiThrottled, registers }));
export const webhookEvents = lazy(() => new Counter({ ...DEF.webhookEvents, registers }));
export const circuitState = lazy(() => new Gauge({ ...DEF.circuitState, registers }));
export const circuitTransitions = lazy(() => new Counter({ ...DEF.circuitTransitions, registers }));
export const reconcileDrift = lazy(() => new Gauge({ ...DEF.reconcileDrift, registers }));
export const retentionRemoved = lazy(() => new Counter({ ...DEF.retentionRemoved, registers }));
export const retentionLastRun = lazy(() => new Gauge({ ...DEF.retentionLastRun, registers }));

export interface DbPoolStats {
  inUse: number;
  waiting: number;
  max: number;
}

/**
 * Reads the pool at scrape time (a few property reads, no query), so the gauges are exact when
 * Prometheus looks rather than as of the last refresh. Call once per process that has a database.
 */
export function observeDbPool(read: () => DbPoolStats): void {
  const gauge = (def: typeof DEF.dbPoolInUse, pick: (s: DbPoolStats) => number) =>
    new Gauge({
      ...def,
      registers,
      collect() {
        this.set(pick(read()));
      },
    });
  for (const name of [DEF.dbPoolInUse.name, DEF.dbPoolWaiting.name, DEF.dbPoolMax.name]) registry.removeSingleMetric(name);
  gauge(DEF.dbPoolInUse, (s) => s.inUse);
  gauge(DEF.dbPoolWaiting, (s) => s.waiting);
  gauge(DEF.dbPoolMax, (s) => s.max);
}

export interface ExternalCall {
  system: string;
  /** A bounded operation name, e.g. "POST /v1/customers/{id}" (ids templated out). */
  method: string;
  /** HTTP status of the answer. */
  status: number;
  elapsedMs: number;
  quota?: { used: number; max: number } | undefined;
}

/** What the integrations' `onCall` hook is wired to in the workers. */
export function recordExternalCall(call: ExternalCall): void {
  externalCallDuration().observe({ system: call.system, method: call.method, status: String(call.status) }, call.elapsedMs / 1000);
  if (call.status === 429) externalRateLimited().inc({ system: call.system });
  if (call.quota && call.quota.max > 0) externalQuotaUsed().set({ system: call.system }, call.quota.used / call.quota.max);
}
