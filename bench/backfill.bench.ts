/**
 * Initial backfill and reconciliation at 100,000 customers, through the operator CLI
 * (`pnpm sync`, built) against the Stripe emulator limited to Stripe's live read limit.
 * Writes two sections of docs/benchmarks.md: "backfill" and "reconcile".
 * Run: bash bench/run.sh backfill      (BENCH_CUSTOMERS=10000 for a quick try)
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { spawnMeasured, startEmulator, type BenchProcess, type Memory } from './lib/app-process';
import type { CpuGroups } from './lib/cpu';
import { cpuTable, measured, settle, type Phase } from './lib/cpu-report';
import { describeMachine, loadAverage, machineLine } from './lib/machine';
import { writeSection } from './lib/report';
import { saveResults, type Figure } from './lib/results';
import { freshDatabase } from './lib/stack';
import { int, mb } from './lib/stats';

const DATABASE = 'customer_sync_bench_backfill';
const TOPIC_PREFIX = 'bench-backfill.';
const EMULATOR_PORT = 18140;
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
/** Stripe's live-mode read limit, on both sides: the emulator refuses beyond it, the CLI paces to it. */
const READ_RATE = 100;
const AIM = { backfillS: 20, reconcileMb: 200 };
// Drift injected before the second reconcile, on both sides.
const DRIFT = { oursEdited: 100, theirsEdited: 100, oursDeleted: 50 };

interface CliRun {
  code: number | null;
  wallS: number;
  /** CPU seconds the CLI used (user + system), from this process's reaped-children times. */
  cpuS: number;
  json: Record<string, unknown> | undefined;
  memory: Memory;
  output: string[];
}

/**
 * User + system time of this process's reaped children, in seconds: the CLI exits before a
 * phase's closing /proc snapshot could see it, but its time is added here when it is reaped.
 */
function childrenCpuS(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[13]) + Number(rest[14])) / TICKS_PER_S;
}
const TICKS_PER_S = 100; // USER_HZ on Linux

async function runCli(label: string, args: string[], env: Record<string, string>): Promise<CliRun> {
  const cpuBefore = childrenCpuS();
  const started = performance.now();
  const proc: BenchProcess = await spawnMeasured({ name: label, script: 'apps/sync-cli/dist/index.js', args: ['--json', ...args], env, port: 0, readyPath: null });
  const stdout: Buffer[] = [];
  proc.child.stdout?.on('data', (c: Buffer) => stdout.push(c));
  const code = await new Promise<number | null>((resolve) => proc.child.once('exit', (c) => resolve(c)));
  const wallS = (performance.now() - started) / 1000;
  const memory = await proc.stop();
  const cpuS = childrenCpuS() - cpuBefore;
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(Buffer.concat(stdout).toString('utf8')) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { code, wallS, cpuS, json, memory, output: proc.output };
}

async function admin<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${EMULATOR_PORT}${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`emulator ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const count = async (db: Client, text: string) => Number((await db.query<{ n: string }>(text)).rows[0]?.n ?? 0);

async function main() {
  const machine = describeMachine();
  const loadBefore = loadAverage();
  const started = new Date();
  const { databaseUrl, brokers } = await freshDatabase(DATABASE, TOPIC_PREFIX);
  const emulator = await startEmulator(EMULATOR_PORT, ['--rate-limit', String(READ_RATE)]);
  const db = new Client({ connectionString: databaseUrl, application_name: 'bench' });
  await db.connect();
  const cliEnv = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_PREFIX: TOPIC_PREFIX,
    STRIPE_SECRET_KEY: 'sk_test_bench_only',
    STRIPE_WEBHOOK_SECRET: 'whsec_bench_only',
    STRIPE_API_BASE: emulator.origin,
    STRIPE_READ_RATE: String(READ_RATE),
  };
  // The CLI is not a column: it has exited by the end of each phase (its CPU comes from childrenCpuS).
  const groups: CpuGroups = [
    ['stripe-emulator', (p) => p.pid === emulator.pid],
    [`postgres (${DATABASE})`, (p) => p.cmdline.startsWith('postgres:') && p.cmdline.includes(` ${DATABASE} `)],
    ['postgres (rest)', (p) => /(^|\/)postgres(:| )/.test(p.cmdline)],
    ['kafka', (p) => p.cmdline.includes('kafka.Kafka')],
    ['bench', (p) => p.pid === process.pid],
  ];

  const phases: Array<Phase<CliRun>> = [];
  let idle: Phase<unknown>;
  let emulatorMemory: Memory;
  let checks: { customers: number; mappings: number; distinctExternal: number; emulatorCustomers: number; rateLimited: number };
  let drifted: Record<string, unknown> | undefined;
  let settledS: number;
  let linkExpected = 0;
  let linkMappings = 0;
  try {
    const seedStart = performance.now();
    await admin('/_emulator/seed', { count: CUSTOMERS, email_prefix: 'backfill', name_prefix: 'Backfill Customer ' });
    const seedS = (performance.now() - seedStart) / 1000;
    process.stderr.write(`seeded ${CUSTOMERS} emulator customers in ${seedS.toFixed(1)} s\n`);
    await admin('/_emulator/stats/reset', {});
    ({ idle, waitedS: settledS } = await settle(groups));

    const backfill = await measured(`backfill --direction import (${int(CUSTOMERS)} customers, ${READ_RATE} reads/s)`, groups, () =>
      runCli('sync-cli backfill', ['backfill', '--direction', 'import'], cliEnv),
    );
    phases.push(backfill);
    if (backfill.result.code !== 0) throw new Error(`backfill exited ${backfill.result.code}:\n${backfill.result.output.join('\n')}`);
    const stats = await admin<{ rate_limited: number; customers: number }>('/_emulator/stats');
    checks = {
      customers: await count(db, 'select count(*) as n from customers'),
      mappings: await count(db, `select count(*) as n from external_mappings where external_system = 'stripe'`),
      distinctExternal: await count(db, `select count(distinct external_id) as n from external_mappings`),
      emulatorCustomers: stats.customers,
      rateLimited: stats.rate_limited,
    };

    const clean = await measured(`reconcile, in sync (${READ_RATE} reads/s)`, groups, () => runCli('sync-cli reconcile', ['reconcile'], cliEnv));
    phases.push(clean);
    if (clean.result.code !== 0) throw new Error(`reconcile of a synced catalog exited ${clean.result.code} (0 = no drift):\n${clean.result.output.join('\n')}`);

    // Drift on both sides, as a person or a bug would make it: no outbox rows, no webhooks.
    await db.query(`update customers set name = name || ' (edited here)' where id in (select id from customers order by id limit ${DRIFT.oursEdited})`);
    await db.query(`delete from customers where id in (select id from customers order by id desc limit ${DRIFT.oursDeleted})`);
    const theirs = await db.query<{ external_id: string }>(
      `select external_id from external_mappings order by internal_id offset ${DRIFT.oursEdited} limit ${DRIFT.theirsEdited}`,
    );
    for (const { external_id } of theirs.rows) await admin(`/_emulator/dashboard/customers/${external_id}?silent=true`, { name: 'Edited In Stripe' });
    const withDrift = await measured(`reconcile, ${DRIFT.oursEdited + DRIFT.theirsEdited + DRIFT.oursDeleted} drifts (${READ_RATE} reads/s)`, groups, () =>
      runCli('sync-cli reconcile', ['reconcile'], cliEnv),
    );
    phases.push(withDrift);
    drifted = withDrift.result.json;
    if (withDrift.result.code !== 3) throw new Error(`reconcile with drift exited ${withDrift.result.code} (3 = drift found):\n${withDrift.result.output.join('\n')}`);

    // A first sync against a catalog that already holds the customers: forget every link, so the
    // import finds each Stripe record's email on one of ours and links it (names edited above differ).
    await db.query('truncate external_mappings, processed_events, sync_cursors');
    linkExpected = await count(db, 'select count(*) as n from customers where deleted_at is null');
    const link = await measured(`backfill --direction import --restart, linking by email (${READ_RATE} reads/s)`, groups, () =>
      runCli('sync-cli backfill', ['backfill', '--direction', 'import', '--restart'], cliEnv),
    );
    phases.push(link);
    if (link.result.code !== 0) throw new Error(`backfill linking by email exited ${link.result.code}:\n${link.result.output.join('\n')}`);
    linkMappings = await count(db, `select count(distinct internal_id) as n from external_mappings where external_system = 'stripe'`);
  } finally {
    await db.end().catch(() => undefined);
    emulatorMemory = await emulator.stop();
  }

  const [backfill, clean, withDrift, link] = phases as [Phase<CliRun>, Phase<CliRun>, Phase<CliRun>, Phase<CliRun>];
  const linkedReport = link.result.json?.import as { seen: number; created: number; linked: number } | undefined;
  // Every live customer linked by email, the records we deleted created again, each customer linked once.
  const linkComplete = linkedReport?.linked === linkExpected && linkedReport.created === CUSTOMERS - linkExpected && linkMappings === CUSTOMERS;
  const imported = backfill.result.json?.import as { seen: number; created: number; linked: number; unchanged: number; conflicts: number } | undefined;
  const byKind = (drifted?.by_kind ?? {}) as Record<string, number>;
  const expectedDrift = { field_mismatch: DRIFT.oursEdited + DRIFT.theirsEdited, missing_internally: DRIFT.oursDeleted };
  const driftExact = Object.entries(byKind).every(([k, n]) => n === ((expectedDrift as Record<string, number>)[k] ?? 0));
  const complete = checks.customers === CUSTOMERS && checks.mappings === CUSTOMERS && checks.distinctExternal === CUSTOMERS;
  const floorS = CUSTOMERS / 100 / READ_RATE;
  const backfillMet = backfill.result.wallS <= AIM.backfillS * (CUSTOMERS / 100_000);
  const reconcileMb = Math.max(clean.result.memory.peakRssKb, withDrift.result.memory.peakRssKb) / 1024;

  const verdict = (met: boolean) => (met ? '**met**' : '**missed**');
  const cliCpu = (r: CliRun) => `${r.cpuS.toFixed(1)} s (${((100 * r.cpuS) / r.wallS).toFixed(0)} % of a core)`;
  const rows = [
    [
      backfill.name,
      `${backfill.result.wallS.toFixed(1)} s`,
      `${int(CUSTOMERS / backfill.result.wallS)} customers/s`,
      cliCpu(backfill.result),
      mb(backfill.result.memory.peakRssKb),
      `≤ ${AIM.backfillS} s at 100,000: ${verdict(backfillMet)}`,
    ],
    [link.name, `${link.result.wallS.toFixed(1)} s`, `${int(CUSTOMERS / link.result.wallS)} customers/s`, cliCpu(link.result), mb(link.result.memory.peakRssKb), 'none (same floor as the import)'],
    [clean.name, `${clean.result.wallS.toFixed(1)} s`, `${int(CUSTOMERS / clean.result.wallS)} customers/s`, cliCpu(clean.result), mb(clean.result.memory.peakRssKb), `≤ ${AIM.reconcileMb} MB: ${verdict(clean.result.memory.peakRssKb / 1024 <= AIM.reconcileMb)}`],
    [withDrift.name, `${withDrift.result.wallS.toFixed(1)} s`, `${int(CUSTOMERS / withDrift.result.wallS)} customers/s`, cliCpu(withDrift.result), mb(withDrift.result.memory.peakRssKb), `≤ ${AIM.reconcileMb} MB: ${verdict(withDrift.result.memory.peakRssKb / 1024 <= AIM.reconcileMb)}`],
  ];
  const cpu = cpuTable([idle, ...phases], groups);
  const common = `- machine: ${machineLine(machine)}; load average (1/5/15 min) before ${loadBefore}, after ${loadAverage()}
- set-up: the Stripe emulator (its own process) holding ${int(CUSTOMERS)} customers, limited to ${READ_RATE} requests/s
  (\`--rate-limit ${READ_RATE}\`, 429 beyond it, as live Stripe); a fresh, migrated database \`${DATABASE}\`; the built
  operator CLI (\`node apps/sync-cli/dist/index.js --json …\`, i.e. \`pnpm sync\`) with \`STRIPE_READ_RATE=${READ_RATE}\`,
  \`NODE_ENV=production\`; times are wall clock from starting the CLI process to its exit (Node start-up and
  connecting included); memory is the CLI process's peak RSS (VmRSS sampled every 500 ms).`;

  const backfillSection = `## Backfill: import ${int(CUSTOMERS)} Stripe customers

- command: \`bash bench/run.sh backfill\` (\`bench/backfill.bench.ts\`); run ${started.toISOString()}
${common}

| measurement | wall time | rate | CLI CPU | CLI peak RSS | aim |
| --- | --- | --- | --- | --- | --- |
| ${rows[0]!.join(' | ')} |
| ${rows[1]!.join(' | ')} |

Floor set by the limit: ${int(CUSTOMERS)} customers at 100 a page and ${READ_RATE} pages/s is ${floorS.toFixed(1)} s; the
import took ${(backfill.result.wallS / floorS).toFixed(2)}× that. Result: ${imported ? `${int(imported.seen)} seen, ${int(imported.created)} created, ${imported.linked} linked, ${imported.unchanged} unchanged, ${imported.conflicts} conflicts` : 'no JSON report'};
afterwards ${int(checks.customers)} customers, ${int(checks.mappings)} mappings (${int(checks.distinctExternal)} distinct Stripe ids) — ${complete ? 'complete, no duplicates' : '**incomplete or duplicated**'};
429s answered by the emulator: ${checks.rateLimited}. CLI peak RSS ${mb(backfill.result.memory.peakRssKb)}.

The second row runs after the reconcile runs below, against the same catalog with every link forgotten (mappings, dedupe rows and
the saved position truncated): the first sync of a company whose customers are already on both sides. Result: ${linkedReport ? `${int(linkedReport.seen)} seen, ${int(linkedReport.created)} created (the ${int(CUSTOMERS - linkExpected)} we deleted for the reconcile), ${int(linkedReport.linked)} linked by email` : 'no JSON report'}; afterwards ${int(linkMappings)} customers linked — ${linkComplete ? 'every live customer linked once' : '**not every customer linked once**'}.

How: pages are read in the background up to 8 ahead (reads stay sequential: each needs the previous
page's cursor); the pages waiting are applied together, two batches at a time on two connections;
each batch's new records become customers, mappings, outbox rows (origin stripe), dedupe and audit
rows in one SQL statement; records whose email one of our unlinked customers holds are linked in one
statement too (mapping, dedupe and audit rows, and an outbox row origin internal where our name differs);
links by our id and conflicts take the one-by-one inbound path.

CPU by process other than the CLI (% of one core). The Postgres backends serving the CLI end with it, before the
phase's closing snapshot, so their CPU is counted under “other” (Postgres is most of it); waited ${settledS.toFixed(0)} s first for other processes to quiet down):

${cpu}`;

  const reconcileSection = `## Reconcile: ${int(CUSTOMERS)} customers on each side

- command: \`bash bench/run.sh backfill\` (\`bench/backfill.bench.ts\`, after the backfill above); run ${started.toISOString()}
${common}
- drift for the second run, made behind the sync's back: ${DRIFT.oursEdited} of our names edited in SQL, ${DRIFT.theirsEdited} names
  edited in the emulator's dashboard (no webhook), ${DRIFT.oursDeleted} of our customers deleted in SQL (mappings cascade).

| measurement | wall time | rate | CLI CPU | CLI peak RSS | aim |
| --- | --- | --- | --- | --- | --- |
| ${rows[2]!.join(' | ')} |
| ${rows[3]!.join(' | ')} |

Drift reported: ${JSON.stringify(byKind)} — ${driftExact ? 'exactly what was injected' : `**not what was injected** (${JSON.stringify(expectedDrift)})`}.
Reading Stripe is the floor here too (${floorS.toFixed(1)} s); the comparison itself is SQL over a temporary table, so
the CLI's memory does not grow with the catalog.

CPU by process: see the backfill section's table (same run).`;

  writeSection('backfill', backfillSection);
  writeSection('reconcile', reconcileSection);
  process.stdout.write(`${backfillSection}\n\n${reconcileSection}\n`);

  const figures: Figure[] = [
    { measure: `backfill: import of ${int(CUSTOMERS)} customers at ${READ_RATE} reads/s`, value: `${backfill.result.wallS.toFixed(1)} s`, aim: `≤ ${AIM.backfillS} s`, met: backfillMet },
    { measure: `backfill: ${int(CUSTOMERS)} linking by email to an existing catalog at ${READ_RATE} reads/s`, value: `${link.result.wallS.toFixed(1)} s`, aim: '' },
    { measure: `reconcile: ${int(CUSTOMERS)} each side at ${READ_RATE} reads/s, time`, value: `${clean.result.wallS.toFixed(1)} s`, aim: '' },
    { measure: `reconcile: peak memory`, value: `${reconcileMb.toFixed(0)} MB`, aim: `≤ ${AIM.reconcileMb} MB`, met: reconcileMb <= AIM.reconcileMb },
  ];
  saveResults({
    name: 'backfill',
    figures,
    rss: { 'sync-cli (backfill)': backfill.result.memory, 'sync-cli (reconcile)': clean.result.memory.peakRssKb >= withDrift.result.memory.peakRssKb ? clean.result.memory : withDrift.result.memory, 'stripe-emulator': emulatorMemory },
  });
  if (!complete) throw new Error('the backfill left the catalog incomplete or duplicated (see above)');
  if (!driftExact) throw new Error('reconcile did not report exactly the injected drift (see above)');
  if (!linkComplete) throw new Error('the import over an existing catalog did not link every customer once (see above)');
}

main().catch((err: unknown) => {
  process.stderr.write(`backfill benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
