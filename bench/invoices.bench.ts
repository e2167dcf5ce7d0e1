/**
 * Invoices (issue #16), against the built apps, the local Postgres and Kafka, and the Stripe
 * emulator as its own process. Two phases:
 *   a. push: INVOICES invoices of 5 lines made through our API while no outbound worker runs (a
 *      backlog on invoice.events), then a worker drains them: the time it takes, the Stripe calls
 *      per invoice (the emulator's own count), and no duplicate (the emulator's invoices, by our id);
 *   b. payment back: PAID of them finalized (open here and there, Stripe's number back), then paid
 *      in Stripe one by one at PAY_RATE/s (the emulator's admin pay, as a customer paying its hosted
 *      page would) → webhook → gateway → Kafka → inbound worker → paid here: p50/p99 (aim p99 ≤ 1 s).
 * Run: bash bench/run.sh invoices
 * BENCH_QUICK=1 runs a small version (200 invoices, 50 paid) and prints the section, but writes
 * neither docs/benchmarks.md nor the results file. BENCH_WORKER_ENV="K=V …" passes settings to the apps.
 */
import { Client } from 'pg';
import { startApp, startEmulator, type BenchProcess, type Memory } from './lib/app-process';
import { cpuSnapshot, cpuUsage, standardGroups, type CpuGroups, type CpuSnapshot } from './lib/cpu';
import { cpuTable, measured, ranked, type Phase } from './lib/cpu-report';
import { dropKafkaLeftovers, ourKafkaOnly } from './lib/kafka';
import { describeMachine, loadAverage, machineLine } from './lib/machine';
import { mdTable, writeSection } from './lib/report';
import { saveResults, type Figure } from './lib/results';
import { API_KEY, AUTH, benchWorkerEnv, freshDatabase, infraEnv, waitOutboxDrained } from './lib/stack';
import { int, mb, ms, summarize, type Summary } from './lib/stats';

const QUICK = process.env.BENCH_QUICK === '1';
const DATABASE = 'customer_sync_bench_invoices';
const TOPICS_OF_ALL_RUNS = 'bench-invoices.';
const runId = Date.now().toString(36);
// Topics and consumer groups of this run only (a new group reads its topics from the beginning).
const TOPIC_PREFIX = `${TOPICS_OF_ALL_RUNS}${runId}.`;
const CLIENT_ID = `bench-invoices-${runId}`;
const PORTS = { api: 18500, emulator: 18501, outbound: 18502, gateway: 18503, inbound: 18504 };
const STRIPE_KEY = 'sk_test_bench_only';
const WEBHOOK_SECRET = 'whsec_bench_only';

const INVOICES = QUICK ? 200 : 1_000;
const LINES = 5;
const CUSTOMERS = QUICK ? 20 : 100;
const PAID = QUICK ? 50 : 200;
const PAY_RATE = 20;
const CONNECTIONS = 16;
const UNLIMITED_WRITE_RATE = 100_000;
const AIM = { paidP99Ms: 1_000 };
const APP_ENV = benchWorkerEnv();
// The outbound worker's heap bound, as its Dockerfile sets it (README, "Memory").
const OUTBOUND_NODE_OPTIONS = '--max-old-space-size=96 --max-semi-space-size=16';

interface Ctx {
  db: Client;
  databaseUrl: string;
  brokers: string;
  api: BenchProcess;
  emulator: BenchProcess;
  /** The pid of each app started, by name, for the CPU table (a worker is started more than once). */
  pids: Map<string, number>;
}

async function start(ctx: Ctx, app: 'outbound-worker' | 'webhook-gateway' | 'inbound-worker', port: number, env: Record<string, string> = {}): Promise<BenchProcess> {
  const proc = await startApp(app, appOpts(ctx, port, app === 'outbound-worker' ? { NODE_OPTIONS: OUTBOUND_NODE_OPTIONS, ...env } : env));
  ctx.pids.set(app, proc.pid);
  return proc;
}

const appOpts = (ctx: Ctx, port: number, env: Record<string, string> = {}) => ({
  databaseUrl: ctx.databaseUrl,
  kafkaBrokers: ctx.brokers,
  topicPrefix: TOPIC_PREFIX,
  port,
  env: {
    KAFKA_CLIENT_ID: CLIENT_ID,
    STRIPE_SECRET_KEY: STRIPE_KEY,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_BASE: ctx.emulator.origin,
    STRIPE_WRITE_RATE: String(UNLIMITED_WRITE_RATE),
    ...env,
    ...APP_ENV,
  },
});

async function call<T>(origin: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(origin + path, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}
const api = <T>(ctx: Ctx, method: string, path: string, body?: unknown) => call<T>(ctx.api.origin, method, path, body, AUTH);
const emulator = <T>(ctx: Ctx, method: string, path: string, body?: unknown) => call<T>(ctx.emulator.origin, method, `/_emulator${path}`, body);

/** `n` calls of `work(i)` over `connections` at once (closed loop). */
async function closedLoop(n: number, connections: number, work: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = Date.now();
  await Promise.all(Array.from({ length: connections }, async () => {
    while (next < n) await work(next++);
  }));
  return n / ((Date.now() - started) / 1000);
}

async function until(what: string, timeoutMs: number, done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const count = async (db: Client, text: string, params: unknown[] = []) => Number((await db.query<{ n: string }>(text, params)).rows[0]?.n ?? 0);
const mappedInvoices = (db: Client, ids: number[]) =>
  count(db, `select count(*) as n from external_mappings where entity_type = 'invoice' and external_system = 'stripe' and internal_id = any($1::int[])`, [ids]);

interface EmulatorStats {
  requests: { total: number; by_route: Record<string, number> };
  rate_limited: number;
}

interface EmuInvoice {
  id: string;
  status: string;
  amount_due: number;
  metadata: Record<string, string>;
  lines: { data: unknown[]; total_count?: number };
}

// ---------------------------------------------------------------------------------------------
// Phase a: a backlog of invoices drained by a new worker.

interface PushFigures {
  ids: number[];
  createRate: number;
  /** Worker start → last invoice mapped. */
  totalS: number;
  /** First → last invoice mapping (created_at). */
  spanS: number;
  rate: number;
  stats: EmulatorStats;
  callsPerInvoice: number;
  inEmulator: number;
  duplicates: number;
  missing: number;
  wrongLines: number;
  wrongTotal: number;
  rss: Memory;
}

async function pushPhase(ctx: Ctx, groups: CpuGroups, customers: number[]): Promise<Phase<PushFigures>> {
  const lines = Array.from({ length: LINES }, (_, i) => ({ description: `Line ${i + 1}`, quantity: i + 1, unit_amount: 100 * (i + 1) }));
  const ids: number[] = [];
  const createRate = await closedLoop(INVOICES, CONNECTIONS, async (i) => {
    const made = await api<{ id: number }>(ctx, 'POST', '/api/v1/invoices', { customer_id: customers[i % customers.length], currency: 'eur', lines });
    ids.push(made.id);
  });
  const relay = await waitOutboxDrained(ctx.db, 60_000);
  if (relay.left > 0) throw new Error(`the relay left ${relay.left} outbox rows after ${relay.waitedMs} ms`);
  await emulator(ctx, 'POST', '/stats/reset', {});

  const started = Date.now();
  const worker = await start(ctx, 'outbound-worker', PORTS.outbound);
  // CPU from the worker's start to the last mapping, read while it still runs.
  const before = cpuSnapshot(groups);
  let after: CpuSnapshot;
  let rss: Memory;
  try {
    await until(`${INVOICES} invoices mapped`, 180_000, async () => (await mappedInvoices(ctx.db, ids)) >= ids.length);
    after = cpuSnapshot(groups);
  } finally {
    rss = await worker.stop();
  }
  const totalS = (Date.now() - started) / 1000;
  const stats = await emulator<EmulatorStats>(ctx, 'GET', '/stats');
  const { rows } = await ctx.db.query<{ first: string; last: string }>(
    `select extract(epoch from min(created_at)) * 1000 as first, extract(epoch from max(created_at)) * 1000 as last
       from external_mappings where entity_type = 'invoice' and internal_id = any($1::int[])`,
    [ids],
  );
  const spanS = (Number(rows[0]!.last) - Number(rows[0]!.first)) / 1000;

  // No duplicate: exactly one Stripe invoice carries each of our ids, with our 5 lines and our total.
  const there = await emulator<EmuInvoice[]>(ctx, 'GET', '/invoices');
  const byOurs = new Map<number, EmuInvoice[]>();
  for (const inv of there) {
    const ours = Number(inv.metadata.internal_invoice_id);
    byOurs.set(ours, [...(byOurs.get(ours) ?? []), inv]);
  }
  const total = lines.reduce((s, l) => s + l.quantity * l.unit_amount, 0);
  const single = ids.map((id) => byOurs.get(id)).filter((v): v is EmuInvoice[] => v?.length === 1).map((v) => v[0]!);
  const result: PushFigures = {
    ids,
    createRate,
    totalS,
    spanS,
    rate: (ids.length - 1) / spanS,
    stats,
    callsPerInvoice: stats.requests.total / ids.length,
    inEmulator: there.length,
    duplicates: [...byOurs.values()].filter((v) => v.length > 1).length,
    missing: ids.filter((id) => !byOurs.has(id)).length,
    wrongLines: single.filter((inv) => (inv.lines.total_count ?? inv.lines.data.length) !== LINES).length,
    wrongTotal: single.filter((inv) => inv.amount_due !== total).length,
    rss,
  };
  return { name: `${int(INVOICES)} invoices of ${LINES} lines: the worker on the backlog`, result, cpu: cpuUsage(before, after, groups) };
}

// ---------------------------------------------------------------------------------------------
// Phase b: paid in Stripe → paid here.

interface PaidFigures {
  n: number;
  latency: Summary;
  notPaid: number;
  wrongAmount: number;
  payRate: number;
}

async function paidPhase(ctx: Ctx, ids: number[]): Promise<PaidFigures> {
  const chosen = ids.slice(0, PAID);
  await closedLoop(chosen.length, 4, async (i) => void (await api(ctx, 'POST', `/api/v1/invoices/${chosen[i]}/finalize`)));
  // Open there, and Stripe's number back here: what Stripe knows of them has reached us.
  await until('the finalized invoices open with their numbers', 120_000, async () =>
    (await count(ctx.db, `select count(*) as n from invoices where id = any($1::int[]) and status = 'open' and number is not null`, [chosen])) === chosen.length,
  );
  // Quiet first: the finalize's own events (sent, updated …) must not queue ahead of the payments.
  await until('the inbound path to go quiet', 60_000, async () =>
    (await count(ctx.db, `select count(*) as n from sync_events where direction = 'inbound' and created_at > now() - interval '1 second'`)) === 0,
  );
  const { rows } = await ctx.db.query<{ internal_id: number; external_id: string }>(
    `select internal_id, external_id from external_mappings where entity_type = 'invoice' and internal_id = any($1::int[]) order by internal_id`,
    [chosen],
  );
  const paidAt = new Map<number, number>();
  const started = Date.now();
  for (const [i, row] of rows.entries()) {
    const due = started + (i * 1000) / PAY_RATE;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    paidAt.set(row.internal_id, Date.now());
    await emulator(ctx, 'POST', `/invoices/${row.external_id}/pay`, {});
  }
  const payRate = rows.length / ((Date.now() - started) / 1000);
  await until('every paid invoice paid here', 60_000, async () =>
    (await count(ctx.db, `select count(*) as n from invoices where id = any($1::int[]) and status = 'paid'`, [chosen])) === chosen.length,
  ).catch(() => undefined);
  // updated_at is set when the apply commits the paid status (the JS clock of the worker, this machine's).
  const done = await ctx.db.query<{ id: number; updated_ms: string; right: boolean }>(
    `select id, extract(epoch from updated_at) * 1000 as updated_ms, amount_paid = amount_due and amount_remaining = 0 as right
       from invoices where id = any($1::int[]) and status = 'paid'`,
    [chosen],
  );
  return {
    n: chosen.length,
    latency: summarize(done.rows.map((r) => Number(r.updated_ms) - paidAt.get(r.id)!)),
    notPaid: chosen.length - done.rows.length,
    wrongAmount: done.rows.filter((r) => !r.right).length,
    payRate,
  };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const machine = describeMachine();
  const loadBefore = loadAverage();
  const started = new Date();
  await dropKafkaLeftovers(infraEnv().brokers, TOPICS_OF_ALL_RUNS, CLIENT_ID);
  const { databaseUrl, brokers } = await freshDatabase(DATABASE, TOPIC_PREFIX);
  const processes: BenchProcess[] = [];
  const memory: Record<string, Memory> = {};
  let push: Phase<PushFigures> | undefined;
  let paid: Phase<PaidFigures> | undefined;
  let groups: CpuGroups = [];
  try {
    const emu = await startEmulator(PORTS.emulator);
    processes.push(emu);
    const apiProc = await startApp('api', { databaseUrl, kafkaBrokers: brokers, topicPrefix: TOPIC_PREFIX, port: PORTS.api, env: { API_KEYS: API_KEY } });
    processes.push(apiProc);
    const db = new Client({ connectionString: databaseUrl, application_name: 'bench' });
    await db.connect();
    const ctx: Ctx = { db, databaseUrl, brokers, api: apiProc, emulator: emu, pids: new Map() };
    groups = [
      ...ourKafkaOnly(standardGroups(apiProc.pid, DATABASE), brokers),
      ['stripe-emulator', (p) => p.pid === emu.pid],
      ...(['outbound-worker', 'webhook-gateway', 'inbound-worker'] as const).map((app): CpuGroups[number] => [app, (p) => p.pid === ctx.pids.get(app)]),
    ];

    // The customers, in Stripe first (the invoices' push needs their Stripe ids).
    const customers: number[] = [];
    await closedLoop(CUSTOMERS, CONNECTIONS, async (i) => {
      customers.push((await api<{ id: number }>(ctx, 'POST', '/api/v1/customers', { name: `Invoice Bench ${i}`, email: `invoice-bench-${runId}-${i}@example.com` })).id);
    });
    const first = await start(ctx, 'outbound-worker', PORTS.outbound);
    try {
      await until('the customers in Stripe', 60_000, async () => (await count(db, `select count(*) as n from external_mappings where entity_type = 'customer'`)) === CUSTOMERS);
    } finally {
      memory['outbound-worker (customers)'] = await first.stop();
    }

    push = await pushPhase(ctx, groups, customers);
    memory['outbound-worker (invoices)'] = push.result.rss;

    // Phase b: the whole stack, Stripe's webhooks to our gateway.
    await emulator(ctx, 'POST', '/webhook-endpoints', { url: `http://127.0.0.1:${PORTS.gateway}/api/v1/webhooks/stripe`, secret: WEBHOOK_SECRET });
    processes.push(await start(ctx, 'outbound-worker', PORTS.outbound));
    processes.push(await start(ctx, 'webhook-gateway', PORTS.gateway));
    processes.push(await start(ctx, 'inbound-worker', PORTS.inbound, { RECONCILE_INTERVAL_MS: '0', CATCHUP_INTERVAL_MS: '0' }));
    const ids = push.result.ids;
    paid = await measured(`${int(PAID)} paid in Stripe at ${PAY_RATE}/s`, groups, () => paidPhase(ctx, ids));
    await db.end();
  } finally {
    for (const p of processes.reverse()) memory[p.name] ??= await p.stop();
    await dropKafkaLeftovers(brokers, TOPICS_OF_ALL_RUNS, CLIENT_ID, [`${CLIENT_ID}-outbound-stripe`, `${CLIENT_ID}-outbound-stripe-invoice`, `${CLIENT_ID}-inbound`]);
  }
  if (!push || !paid) throw new Error('a phase did not run');

  const P = push.result;
  const B = paid.result;
  const problems: string[] = [];
  if (P.duplicates) problems.push(`${P.duplicates} of our invoices on more than one Stripe invoice`);
  if (P.missing) problems.push(`${P.missing} invoices missing in the emulator`);
  if (P.inEmulator !== INVOICES) problems.push(`the emulator holds ${P.inEmulator} invoices, we made ${INVOICES}`);
  if (P.wrongLines || P.wrongTotal) problems.push(`${P.wrongLines} Stripe invoices without our ${LINES} lines, ${P.wrongTotal} with another total`);
  if (B.notPaid) problems.push(`${B.notPaid} of ${B.n} paid in Stripe never paid here`);
  if (B.wrongAmount) problems.push(`${B.wrongAmount} paid here with other amounts than Stripe's`);
  const met = B.latency.p99 <= AIM.paidP99Ms && B.notPaid === 0;
  const routes = Object.entries(P.stats.requests.by_route)
    .sort((a, b) => b[1] - a[1])
    .map(([route, n]) => `\`${route}\` ${(n / P.ids.length).toFixed(2)}`)
    .join(', ');

  const results = mdTable(
    ['measurement', 'figure', 'detail', 'aim'],
    [
      [`${int(INVOICES)} invoices of ${LINES} lines pushed (a backlog)`, `${P.totalS.toFixed(1)} s`, `worker start → last mapping; ${P.spanS.toFixed(1)} s first → last mapping, ${int(P.rate)} invoices/s`, ''],
      ['Stripe calls per invoice', P.callsPerInvoice.toFixed(2), `${int(P.stats.requests.total)} requests to the emulator: ${routes}; ${int(P.stats.rate_limited)} × 429`, ''],
      ['duplicates in Stripe', String(P.duplicates), `${int(P.inEmulator)} invoices in the emulator for ${int(INVOICES)} of ours, ${P.missing} missing, ${P.wrongLines} without our ${LINES} lines, ${P.wrongTotal} with another total`, '0'],
      [`paid in Stripe → paid here, p50`, ms(B.latency.p50), `${B.n} invoices paid at ${B.payRate.toFixed(0)}/s (emulator admin pay → our row's updated_at); ${B.notPaid} never paid here`, ''],
      [`paid in Stripe → paid here, p99`, ms(B.latency.p99), `max ${ms(B.latency.max)}`, `≤ ${AIM.paidP99Ms} ms: ${met ? '**met**' : '**missed**'}`],
    ],
  );
  const settings = Object.keys(APP_ENV).length ? `BENCH_WORKER_ENV: ${Object.entries(APP_ENV).map(([k, v]) => `\`${k}=${v}\``).join(', ')}` : 'every other setting at its default';
  const limits: string[] = [];
  if (!met) limits.push(`Limit — payment back: the machine was ${paid.cpu.busy.toFixed(0)} % busy of ${paid.cpu.capacity} % during the payments (${ranked(paid.cpu)}).`);
  const section = `## Invoices: pushed to Stripe, and their payment back

- command: \`${QUICK ? 'BENCH_QUICK=1 ' : ''}bash bench/run.sh invoices\` (\`bench/invoices.bench.ts\`); run ${started.toISOString()}${QUICK ? ' — **quick development run: small counts, figures not comparable**' : ''}
- machine: ${machineLine(machine)}; load average (1/5/15 min) before ${loadBefore}, after ${loadAverage()}
- set-up: the built API (relay on), outbound worker (\`NODE_OPTIONS=${OUTBOUND_NODE_OPTIONS}\` as in its Dockerfile), webhook gateway and inbound worker (\`NODE_ENV=production\`, \`LOG_LEVEL=warn\`,
  \`STRIPE_WRITE_RATE=${UNLIMITED_WRITE_RATE}\`, ${settings}) on a fresh database \`${DATABASE}\`, topics \`${TOPICS_OF_ALL_RUNS}<run>.*\` of this run
  (deleted after it); the Stripe emulator (no added latency, no limit) as its own process; one machine, loopback only.
  1. push: ${int(CUSTOMERS)} customers made and pushed to Stripe first; then, with no outbound worker running, ${int(INVOICES)} draft invoices of
     ${LINES} lines (spread over those customers) made through \`POST /api/v1/invoices\` (${CONNECTIONS} connections, ${int(P.createRate)}/s) and published by
     the relay; then an outbound worker started on that backlog. The emulator's request count is reset just before: every request it
     counts is the worker's. Afterwards every invoice of the emulator is read: one per internal id, ${LINES} lines, our total.
  2. payment back: the webhook endpoint registered, all four apps running; ${int(PAID)} of those invoices finalized through our API (open here
     and in Stripe, Stripe's number back here); then each paid in the emulator (\`POST /_emulator/invoices/{id}/pay\`, a customer paying
     its hosted page: \`invoice.paid\` and \`invoice.payment_succeeded\` go out as webhooks) at ${PAY_RATE}/s. Latency: the pay call's start
     (this script's clock) to our invoice's \`updated_at\` as the inbound apply set it paid (the worker's clock, the same machine's).

${results}

CPU by process (% of one core; “other” is every other process and the kernel; “load generator” is this script):

${cpuTable([push, paid], groups)}

Peak RSS: ${Object.entries(memory).map(([p, m]) => `${p} ${mb(m.peakRssKb)}`).join(', ')}.

${problems.length ? `**Problems**: ${problems.join('; ')}.` : 'No duplicate, nothing lost, every amount right.'}${limits.length ? `\n\n${limits.join('\n\n')}` : ''}`;

  process.stdout.write(`${section}\n`);
  if (!QUICK) {
    writeSection('invoices', section);
    const figures: Figure[] = [
      { measure: `invoices: ${int(INVOICES)} of ${LINES} lines pushed to Stripe (backlog)`, value: `${P.totalS.toFixed(1)} s, ${P.callsPerInvoice.toFixed(1)} calls each`, aim: '' },
      { measure: 'invoices: duplicates in Stripe', value: String(P.duplicates), aim: '0', met: P.duplicates === 0 && P.missing === 0 },
      { measure: 'invoices: paid in Stripe → paid here, p50', value: ms(B.latency.p50), aim: '' },
      { measure: 'invoices: paid in Stripe → paid here, p99', value: ms(B.latency.p99), aim: `≤ ${AIM.paidP99Ms} ms`, met },
    ];
    saveResults({ name: 'invoices', figures, rss: memory });
  }
  if (problems.length) throw new Error(problems.join('; '));
}

main().catch((err: unknown) => {
  process.stderr.write(`invoices benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
