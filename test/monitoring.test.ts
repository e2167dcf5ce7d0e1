/**
 * The monitoring config in ops/ is kept in step with the code: every alert and every dashboard
 * query may use only metric names our code registers (METRIC_NAMES in @cs/platform), every
 * metric we register is on the dashboard, and the seed's alerts are all there.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { METRIC_NAMES, seriesNames } from '@cs/platform';

const root = path.resolve(__dirname, '..');
const rules = (parse(fs.readFileSync(path.join(root, 'ops/prometheus/alerts.yml'), 'utf8')) as {
  groups: Array<{ name: string; rules: Array<{ alert: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }> }>;
}).groups.flatMap((g) => g.rules);
const dashboard = JSON.parse(fs.readFileSync(path.join(root, 'ops/grafana/customer-sync.json'), 'utf8')) as {
  panels: Array<{ type: string; title: string; targets?: Array<{ expr: string }> }>;
};
const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

// PromQL's functions, aggregations and keywords: every other bare identifier is a metric name.
const PROMQL_WORDS = new Set(
  `sum min max avg count group stddev stdvar topk bottomk quantile count_values rate irate increase delta idelta deriv
   histogram_quantile abs absent absent_over_time ceil floor round clamp clamp_min clamp_max scalar vector time timestamp
   label_replace label_join sort sort_desc avg_over_time min_over_time max_over_time sum_over_time count_over_time
   last_over_time quantile_over_time changes resets predict_linear and or unless bool offset inf nan`.split(/\s+/),
);

/** The metric names an expression selects, by a tiny lexer rather than a full PromQL parser. */
function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // string literals
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // ranges and subqueries (also Grafana's [$__rate_interval])
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // label lists
    .replace(/\b\d+(\.\d+)?([eE][+-]?\d+)?(ms|s|m|h|d|w|y)?\b/g, ' '); // numbers and durations
  return [...new Set(bare.match(/[a-zA-Z_:][\w:]*/g) ?? [])].filter((id) => !PROMQL_WORDS.has(id));
}

const known = new Set(seriesNames());

describe('ops/prometheus/alerts.yml', () => {
  it('has alerts, each with an expression, a severity and a summary', () => {
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) {
      expect(r).toMatchObject({ alert: expect.stringMatching(/^[A-Z]\w+$/), expr: expect.any(String) });
      expect(['critical', 'warning', 'info']).toContain(r.labels?.severity);
      expect(r.annotations?.summary).toEqual(expect.any(String));
    }
  });

  it.each(rules.map((r) => [r.alert, r.expr] as const))('%s uses only metrics the code registers', (_alert, expr) => {
    const names = metricNamesIn(expr);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !known.has(n))).toEqual([]);
  });

  it("covers the seed's alerts: error rate (HTTP and sync) over 5 minutes, sync lag over 30 s, database pool full", () => {
    const using = (metric: string) => rules.filter((r) => metricNamesIn(r.expr).includes(metric)).map((r) => r.alert);
    expect(using('http_request_duration_seconds_count')).not.toHaveLength(0);
    expect(using('sync_messages_total')).not.toHaveLength(0);
    expect(rules.find((r) => r.alert === 'HttpErrorRateHigh')).toMatchObject({ for: '5m', expr: expect.stringMatching(/> 0\.05\s*$/) });
    expect(rules.find((r) => r.alert === 'SyncFailureRateHigh')).toMatchObject({ for: '5m', expr: expect.stringMatching(/> 0\.05\s*$/) });
    expect(rules.find((r) => r.alert === 'SyncLatencyHigh')).toMatchObject({ expr: expect.stringMatching(/sync_latency_seconds_bucket[\s\S]*> 30\s*$/) });
    expect(using('db_pool_waiting').concat(using('db_pool_in_use'))).not.toHaveLength(0);
  });
});

describe('ops/grafana/customer-sync.json', () => {
  it.each(queries.map((q) => [q.panel, q.expr] as const))('"%s" uses only metrics the code registers', (_panel, expr) => {
    expect(metricNamesIn(expr).filter((n) => !known.has(n))).toEqual([]);
  });

  it('shows every metric we register', () => {
    const shown = new Set(queries.flatMap((q) => metricNamesIn(q.expr)).map((n) => n.replace(/_(bucket|sum|count)$/, '')));
    expect(METRIC_NAMES.filter((m) => !shown.has(m))).toEqual([]);
  });
});

describe('metricNamesIn', () => {
  it('finds metric names and nothing else', () => {
    expect(metricNamesIn('histogram_quantile(0.99, sum by (le, direction) (rate(sync_latency_seconds_bucket{direction="inbound"}[5m]))) > 30')).toEqual([
      'sync_latency_seconds_bucket',
    ]);
    expect(metricNamesIn('db_pool_in_use / db_pool_max >= 0.9')).toEqual(['db_pool_in_use', 'db_pool_max']);
    expect(metricNamesIn('max(outbox_backlog offset 5m)')).toEqual(['outbox_backlog']);
  });
});
