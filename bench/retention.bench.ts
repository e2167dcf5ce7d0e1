/**
 * sync_events at scale (issue 18): 10 million rows over four months and 200,000 customers, built
 * with generate_series under the schema before partitioning; the upgrade to monthly partitions
 * timed; then, after VACUUM ANALYZE, p50/p99 of a customer's sync status, the sync-events listing
 * (the API's query with each filter it takes, keyset pages) and the console's queries, called
 * as the API calls them; last, one retention pass (`pnpm sync prune`) dropping the oldest month.
 * Run: bash bench/run.sh retention   (BENCH_RETENTION_ROWS=1000000 for a quick try)
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { Client } from 'pg';
import {
  compactRollups,
  customerSyncPage,
  customerSyncStatus,
  DeadLetterService,
  lastReconcileReport,
  listSyncEvents,
  openOrm,
  syncAnalytics,
  syncSummary,
  systemCircuits,
  type MikroORM,
  type SyncEventFilter,
} from '@cs/domain';
import type { CpuGroups } from './lib/cpu';
import { cpuTable, measured, settle } from './lib/cpu-report';
import { describeMachine, loadAverage, machineLine } from './lib/machine';
import { ROOT } from './lib/paths';
import { mdTable, writeSection } from './lib/report';
import { saveResults, type Figure } from './lib/results';
import { freshDatabase } from './lib/stack';
import { int, ms, summarize, type Summary } from './lib/stats';
import { seedCatalog, seedSyncEvents, type SeedShape } from './lib/sync-events-seed';

const run = promisify(execFile);
const DATABASE = 'customer_sync_bench_retention';
const ROWS = Number(process.env.BENCH_RETENTION_ROWS ?? 10_000_000);
const SHAPE: SeedShape = { rows: ROWS, customers: Math.max(1_000, Math.round(ROWS / 50)), days: 120 };
const CHUNK = 1_000_000;
const SAMPLES = Number(process.env.BENCH_RETENTION_SAMPLES ?? 200);
const AIM_P99_MS = 50;
const SYSTEMS = ['salesforce', 'stripe'];

const pick = (n: number) => 1 + Math.floor(Math.random() * n);
const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000);
const page = (f: Partial<SyncEventFilter>): SyncEventFilter => ({ limit: 50, ...f });

interface Case {
  group: 'status' | 'listing' | 'console';
  name: string;
  query: (orm: MikroORM) => Promise<unknown>;
}

const CASES: Case[] = [
  { group: 'status', name: 'GET /customers/{id}/sync (a random customer)', query: (o) => customerSyncStatus(o.em.fork(), pick(SHAPE.customers), SYSTEMS) },
  { group: 'listing', name: 'GET /sync-events (newest page)', query: (o) => listSyncEvents(o.em.fork(), page({})) },
  { group: 'listing', name: 'GET /sync-events?before_id=<random> (a page deep in the trail)', query: (o) => listSyncEvents(o.em.fork(), page({ beforeId: pick(ROWS) })) },
  { group: 'listing', name: 'GET /sync-events?customer_id=<random>', query: (o) => listSyncEvents(o.em.fork(), page({ customerId: pick(SHAPE.customers) })) },
  { group: 'listing', name: 'GET /sync-events?status=failed (2 %)', query: (o) => listSyncEvents(o.em.fork(), page({ status: 'failed' })) },
  { group: 'listing', name: 'GET /sync-events?status=conflict&before_id=<random> (0.5 %)', query: (o) => listSyncEvents(o.em.fork(), page({ status: 'conflict', beforeId: pick(ROWS) })) },
  { group: 'listing', name: 'GET /sync-events?system=salesforce&direction=inbound', query: (o) => listSyncEvents(o.em.fork(), page({ system: 'salesforce', direction: 'inbound' })) },
  {
    group: 'listing',
    name: 'GET /sync-events?from=<a random past hour>&to=<an hour later>',
    query: (o) => {
      const from = daysAgo(1 + Math.random() * (SHAPE.days - 2));
      return listSyncEvents(o.em.fork(), page({ from, to: new Date(from.getTime() + 3_600_000) }));
    },
  },
  {
    group: 'listing',
    name: 'GET /sync-events?from=<a random past day>&to=<the day after>',
    query: (o) => {
      const from = daysAgo(1 + Math.random() * (SHAPE.days - 2));
      return listSyncEvents(o.em.fork(), page({ from, to: new Date(from.getTime() + 86_400_000) }));
    },
  },
  { group: 'listing', name: 'GET /sync-events?system=stripe&status=failed&from=<7 days ago>', query: (o) => listSyncEvents(o.em.fork(), page({ system: 'stripe', status: 'failed', from: daysAgo(7) })) },
  {
    group: 'listing',
    name: 'GET /sync-events?customer_id=<random>&status=success&limit=500',
    query: (o) => listSyncEvents(o.em.fork(), { customerId: pick(SHAPE.customers), status: 'success', limit: 500 }),
  },
  { group: 'console', name: 'GET /sync/summary (live counts)', query: (o) => syncSummary(o.em.fork()) },
  { group: 'console', name: 'GET /sync/customers?limit=25 (first page)', query: (o) => customerSyncPage(o.em.fork(), { skip: 0, limit: 25 }, SYSTEMS) },
  { group: 'console', name: 'GET /sync/customers?skip=<0–5,000>&limit=25', query: (o) => customerSyncPage(o.em.fork(), { skip: pick(5_000) - 1, limit: 25 }, SYSTEMS) },
  // The console's four windows, each in the bucket it asks for (the API's auto bucket).
  ...([
    ['the last hour in 1-minute buckets', 1 / 24, 60],
    ['the last 24 hours in 15-minute buckets', 1, 900],
    ['the last 7 days in 1-hour buckets', 7, 3_600],
    ['the last 30 days in 6-hour buckets', 30, 21_600],
  ] as const).map(([what, days, bucketSeconds]): Case => ({
    group: 'console',
    name: `GET /sync/analytics (${what}, as the console asks)`,
    query: (o) => syncAnalytics(o.em.fork(), { from: daysAgo(days), to: new Date(), bucketSeconds }),
  })),
  { group: 'console', name: 'GET /sync/circuits', query: (o) => systemCircuits(o.em.fork(), SYSTEMS) },
  { group: 'console', name: 'GET /dead-letters (parked, 50)', query: (o) => new DeadLetterService(o).list({ status: 'parked', limit: 51, skip: 0 }) },
  { group: 'console', name: 'GET /reconcile/last', query: (o) => lastReconcileReport(o.em.fork()) },
];

function cpuGroups(): CpuGroups {
  return [
    ['bench (the queries)', (p) => p.pid === process.pid],
    [`postgres (${DATABASE})`, (p) => p.cmdline.startsWith('postgres:') && p.cmdline.includes(` ${DATABASE} `)],
    ['postgres (rest)', (p) => /(^|\/)postgres(:| )/.test(p.cmdline)],
    ['kafka', (p) => p.cmdline.includes('kafka.Kafka')],
  ];
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; s: number }> {
  const started = performance.now();
  const result = await work();
  return { result, s: (performance.now() - started) / 1000 };
}

/** The trail as the schema before partitioning holds it (seeded without its indexes: the upgrade reads it whole and drops it). */
async function seedUnpartitioned(db: Client, env: NodeJS.ProcessEnv): Promise<void> {
  // Back, one migration at a time, to the schema before partitioning.
  for (let step = 0; ; step++) {
    const { rows } = await db.query<{ relkind: string }>(`select relkind from pg_class where relname = 'sync_events'`);
    if (rows[0]?.relkind === 'r') break;
    if (step === 10) throw new Error('sync_events is still partitioned after migrating down 10 steps');
    await run(process.execPath, [path.join(ROOT, 'packages/domain/dist/cli/migrate.js'), 'down'], { cwd: ROOT, env });
  }
  await db.query(`alter table sync_events drop constraint sync_events_pkey, drop constraint sync_events_event_id_key`);
  await db.query(`drop index sync_events_entity_idx, sync_events_open_idx, sync_events_created_idx`);
  await seedCatalog(db, SHAPE);
  // Chunks on two connections at once: one per core of the machines we run on.
  const second = new Client({ connectionString: env.DATABASE_URL, application_name: 'bench' });
  await second.connect();
  try {
    const chunks = Array.from({ length: Math.ceil(ROWS / CHUNK) }, (_, i) => 1 + i * CHUNK);
    let seeded = 0;
    const worker = async (client: Client) => {
      for (let from = chunks.shift(); from !== undefined; from = chunks.shift()) {
        const to = Math.min(ROWS, from + CHUNK - 1);
        await seedSyncEvents(client, SHAPE, from, to);
        seeded += to - from + 1;
        process.stderr.write(`seeded ${int(seeded)} of ${int(ROWS)} sync_events rows\n`);
      }
    };
    await Promise.all([worker(db), worker(second)]);
  } finally {
    await second.end();
  }
  await db.query(`select setval('sync_events_id_seq', $1)`, [ROWS]);
}

async function measure(orm: MikroORM): Promise<Array<Case & { latency: Summary }>> {
  const results: Array<Case & { latency: Summary }> = [];
  for (const c of CASES) {
    for (let i = 0; i < 10; i++) await c.query(orm); // warm-up: the plan cache, the pool, the pages
    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) samples.push((await timed(() => c.query(orm))).s * 1000);
    results.push({ ...c, latency: summarize(samples) });
  }
  return results;
}

async function main() {
  const machine = describeMachine();
  const loadBefore = loadAverage();
  const started = new Date();
  const { databaseUrl, brokers } = await freshDatabase(DATABASE);
  const env = { ...process.env, DATABASE_URL: databaseUrl, KAFKA_BROKERS: brokers };
  const db = new Client({ connectionString: databaseUrl, application_name: 'bench' });
  await db.connect();
  let orm: MikroORM | undefined;
  try {
    const seed = await timed(() => seedUnpartitioned(db, env));
    const upgrade = await timed(() => run(process.execPath, [path.join(ROOT, 'packages/domain/dist/cli/migrate.js'), 'up'], { cwd: ROOT, env, maxBuffer: 1 << 24 }));
    // The last two days' successes know when their change was made at the source, as rows written since source_at existed do.
    await db.query(`update sync_events set source_at = created_at - interval '1 second' * (1 + id % 5) where status = 'success' and created_at > now() - interval '2 days'`);
    // What autovacuum leaves behind a bulk load: statistics and the visibility map (index-only scans).
    // The upgrade counted every row as a delta; the inbound worker folds them a few seconds apart, here all at once.
    const fold = await timed(async () => {
      const folding = await openOrm({ databaseUrl, poolMax: 1 });
      try {
        return await compactRollups(folding.em.fork(), 50_000);
      } finally {
        await folding.close();
      }
    });
    const rollupRows = await db.query<{ n: string }>(`select count(*) as n from sync_event_rollups`);
    const vacuum = await timed(() => db.query('vacuum (analyze)'));
    const layout = await db.query<{ part: string; n: string }>(`select tableoid::regclass::text as part, count(*) as n from sync_events group by 1 order by 1`);
    const size = await db.query<{ mb: string }>(`select round(sum(pg_total_relation_size(c.oid)) / 1048576) as mb from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'sync_events'::regclass`);

    orm = await openOrm({ databaseUrl, poolMax: 4 });
    const groups = cpuGroups();
    const { waitedS } = await settle(groups);
    const loadQueries = loadAverage();
    const phase = await measured('the queries', groups, () => measure(orm!));
    const results = phase.result;
    await orm.close();
    orm = undefined;

    const prune = await timed(() =>
      run(process.execPath, [path.join(ROOT, 'apps/sync-cli/dist/index.js'), '--json', 'prune'], { cwd: ROOT, env: { ...env, LOG_LEVEL: 'warn' }, maxBuffer: 1 << 24 }),
    );
    const pruned = JSON.parse(prune.result.stdout) as { syncEventsRemoved: number; processedEventsRemoved: number; syncEvents: { dropped: Array<{ partition: string; rows: number; kept: number }> } };
    report({ machine: machineLine(machine), loadBefore, loadQueries, settledS: waitedS, cpu: cpuTable([phase], groups), started, seedS: seed.s, upgradeS: upgrade.s, foldS: fold.s, folded: fold.result?.rollupDeltas ?? 0, rollupRows: Number(rollupRows.rows[0]?.n ?? 0), vacuumS: vacuum.s, layout: layout.rows, sizeMb: Number(size.rows[0]?.mb ?? 0), results, pruneS: prune.s, pruned });
  } finally {
    await orm?.close();
    await db.end();
  }
}

interface Run {
  machine: string;
  loadBefore: string;
  loadQueries: string;
  settledS: number;
  cpu: string;
  started: Date;
  seedS: number;
  upgradeS: number;
  foldS: number;
  folded: number;
  rollupRows: number;
  vacuumS: number;
  layout: Array<{ part: string; n: string }>;
  sizeMb: number;
  results: Array<Case & { latency: Summary }>;
  pruneS: number;
  pruned: { syncEventsRemoved: number; syncEvents: { dropped: Array<{ partition: string; rows: number; kept: number }> } };
}

function report(r: Run): void {
  const met = (s: Summary) => s.p99 <= AIM_P99_MS;
  const worst = (group: Case['group']) => r.results.filter((c) => c.group === group).reduce((a, b) => (b.latency.p99 > a.latency.p99 ? b : a));
  const figures: Figure[] = (['status', 'listing', 'console'] as const).map((group) => {
    const w = worst(group);
    return { measure: `${group} at ${int(ROWS)} sync_events: worst p99 (${w.name})`, value: ms(w.latency.p99), aim: `≤ ${AIM_P99_MS} ms`, met: met(w.latency) };
  });
  figures.push({ measure: `upgrade to monthly partitions, ${int(ROWS)} rows`, value: `${r.upgradeS.toFixed(0)} s`, aim: '' });
  const dropped = r.pruned.syncEvents.dropped.filter((d) => d.rows > 0);
  const section = `## Retention: sync_events at ${int(ROWS)} rows, partitioned by month

- command: \`bash bench/run.sh retention\` (\`bench/retention.bench.ts\`, \`BENCH_RETENTION_ROWS\` for fewer rows); run ${r.started.toISOString()}
- machine: ${r.machine}; load average (1/5/15 min) before ${r.loadBefore}, at the queries ${r.loadQueries} (after waiting ${r.settledS.toFixed(0)} s for the machine to quiet down), after ${loadAverage()}
- set-up: a fresh database \`${DATABASE}\` migrated to the schema before partitioning; ${int(SHAPE.customers)} customers (Stripe
  mappings for 95 %, Salesforce for 80 %), 5,000 dead letters, and ${int(ROWS)} \`sync_events\` rows over ${SHAPE.days} days ending now
  (generate_series: id and time rising together, each row about a customer picked by a hash, 5 % invoices, a third Salesforce,
  78 % success, 14 % skipped, 3 % retrying, 2 % failed, 2 % pending, 0.5 % conflict, 0.5 % parked), seeded in ${r.seedS.toFixed(0)} s
- the upgrade (\`Migration20261206000000_bounded_sync_data\`: copy into month partitions, keys and indexes, ANALYZE; then
  \`Migration20261210000000_sync_rollups\`: every row counted by minute as a delta, the hour index) took **${r.upgradeS.toFixed(0)} s**;
  folding the ${int(r.folded)} deltas into ${int(r.rollupRows)} rollup rows (\`compactRollups\`, what the inbound worker does every 5 s) ${r.foldS.toFixed(0)} s;
  then \`VACUUM (ANALYZE)\` ${r.vacuumS.toFixed(0)} s (what autovacuum leaves); sync_events ${int(r.sizeMb)} MB with indexes;
  rows per partition: ${r.layout.map((l) => `${l.part.replace('sync_events_', '')} ${int(Number(l.n))}`).join(', ')}
- each query is the domain function the API route calls (\`listSyncEvents\`, \`customerSyncStatus\`, …: the SQL and the
  ORM's round trip, no HTTP), one at a time, 10 warm-up calls then ${SAMPLES} timed ones, random customer, id or day each time

${mdTable(
  ['query', 'p50', 'p99', 'max', `aim p99 ≤ ${AIM_P99_MS} ms`],
  r.results.map((c) => [`${c.group}: ${c.name}`, ms(c.latency.p50), ms(c.latency.p99), ms(c.latency.max), met(c.latency) ? 'met' : '**missed**']),
)}

CPU while the queries ran (percent of one core; the machine is shared, "other" is everyone else's work):

${r.cpu}

Then one retention pass (\`pnpm sync prune\`, defaults: sync_events months older than 90 days dropped) took ${r.pruneS.toFixed(1)} s and removed
${int(r.pruned.syncEventsRemoved)} sync_events rows: ${dropped.map((d) => `${d.partition} (${int(d.rows)} rows, ${int(d.kept)} still needed kept in DEFAULT)`).join(', ') || 'no month was old enough'}.`;
  writeSection('retention', section);
  saveResults({ name: 'retention', figures, rss: {} });
  process.stdout.write(`${section}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`retention bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

