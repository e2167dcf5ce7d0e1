/**
 * Stripe → us (issue #5): signed `customer.updated` webhooks at the real webhook gateway over
 * loopback, applied by the real inbound worker to Postgres. Phases: the most the gateway
 * accepts with 20 concurrent senders (closed loop, as the reference was measured), ack latency at
 * a paced 1,000 events/s (open loop), the applied rate of a burst — first event sent → last
 * change in Postgres — and the apply's own pace on a queue built while the worker was paused. Afterwards every customer must hold the state of its last event, or the run fails.
 * Run: bash bench/run.sh webhook
 * BENCH_QUICK=1 bash bench/run.sh webhook: short phases and fewer customers, for development only:
 * the section is printed, but neither docs/benchmarks.md nor the results for `make bench` are written.
 */
import { performance } from 'node:perf_hooks';
import { createKafka } from '@cs/kafka-schemas';
import type { Request } from 'autocannon';
import { Client } from 'pg';
import { spawnMeasured, startEmulator, type BenchProcess, type Memory } from './lib/app-process';
import { cannon, type CannonResult } from './lib/cannon';
import { standardGroups, type CpuGroups, type CpuUsage } from './lib/cpu';
import { cpuTable, measured, settle, type Phase } from './lib/cpu-report';
import { describeMachine, loadAverage, machineLine } from './lib/machine';
import { pacedLoad, type PacedResult } from './lib/paced-load';
import { mdTable, writeSection } from './lib/report';
import { saveResults, type Figure } from './lib/results';
import { freshDatabase } from './lib/stack';
import { customerUpdatedBody, JSON_HEADERS, seedCustomers, signature, startWebhookPath, STRIPE_KEY, WEBHOOK_PATH, type StripeCustomer } from './lib/stripe-webhooks';
import { int, mb, ms } from './lib/stats';

const QUICK = process.env.BENCH_QUICK === '1';
const DATABASE = 'customer_sync_bench_webhook';
const runId = Date.now().toString(36);
// A fresh consumer group reads sync.inbound from the beginning: topics of our own per run, so
// the worker never replays an earlier run's events (for customers this database does not have).
const TOPIC_ROOT = 'bench-webhook.';
const TOPIC_PREFIX = `${TOPIC_ROOT}${runId}.`;
const PORTS = { gateway: 18120, worker: 18121, emulator: 18122 };

const CUSTOMERS = QUICK ? 1_000 : 5_000;
const SENDERS = 20; // the reference's 20 concurrent senders
const WARMUP_S = 2;
const MAX_S = QUICK ? 3 : 6;
const RATE = 1_000;
const PACED_S = QUICK ? 3 : 10;
const PAUSED_S = QUICK ? 2 : 3;
// At least one event per customer, so every customer's final state comes from the burst, where
// every request is answered (autocannon's amount mode): a duration-bound phase abandons the
// requests in flight at its end, and we could not say what their customers should hold.
const BURST = QUICK ? 5_000 : 20_000;
// Queued while the worker is paused (SIGSTOP), then applied with the machine to itself: the apply's
// own pace. Sent in well under the worker's 10 s Kafka session, so it keeps its partitions.
const QUEUED = QUICK ? 2_000 : 4_000;
// 200 in flight at 1,000/s is 0.2 s of backlog, far past the aim: the rate is then not sustained.
const MAX_IN_FLIGHT = 200;
const POLL_MS = 50;
// bench/run.sh kills a benchmark after 300 s (BENCH_TIMEOUT_S), which would leave no section and
// no results: waits for the worker end by this deadline instead, and the run fails with a reason.
const DEADLINE = Date.now() + (Number(process.env.BENCH_TIMEOUT_S) || 300) * 1000 - 30_000;
const AIM = { applied: 3_000, ackP99: 15 };
const REFERENCE = { applied: 1_600, p99: 30 };

interface Sent {
  name: string;
  email: string;
  created: number;
  version: number;
  eventId: string;
}

/**
 * Builds `customer.updated` events as Stripe sends them (the emulator's own customer object with a
 * new name and email, previous_attributes, Stripe-Signature over the exact body). Customers take
 * turns, so one customer's next event is CUSTOMERS events later and its `created` is always one
 * second past the previous one: the order guard sees a real sequence and never a same-second tie.
 */
class WebhookSource {
  private readonly versions: number[];
  private turn = 0;
  readonly last = new Map<string, Sent>();
  built = 0;
  firstBuiltAt: number | undefined;

  constructor(
    private readonly customers: StripeCustomer[],
    private readonly baseTs: number,
  ) {
    this.versions = customers.map(() => 0);
  }

  /** The next event's body and per-request headers; the phase's first call stamps firstBuiltAt. */
  next(): { body: string; signature: string } {
    const i = this.turn;
    this.turn = (this.turn + 1) % this.customers.length;
    const customer = this.customers[i]!;
    const version = ++this.versions[i]!;
    const prev = this.last.get(customer.id) ?? { name: customer.name, email: customer.email };
    const sent: Sent = {
      name: `Webhook Bench ${i} v${version}`,
      email: `wh${i}-v${version}-${runId}@example.com`,
      created: this.baseTs + version,
      version,
      eventId: `evt_1Bench${runId}${String(this.built).padStart(8, '0')}`,
    };
    const body = customerUpdatedBody(customer, { ...sent, previous: { name: prev.name, email: prev.email }, requestId: `req_bench${runId}${this.built}` });
    this.last.set(customer.id, sent);
    this.built += 1;
    this.firstBuiltAt ??= Date.now();
    return { body, signature: signature(body) };
  }
}

function closedLoop(gateway: BenchProcess, source: WebhookSource, opts: { durationS: number; amount?: number }): Promise<CannonResult> {
  const request: Request = {
    method: 'POST',
    path: WEBHOOK_PATH,
    setupRequest: (req: Request) => {
      const { body, signature } = source.next();
      return { ...req, body, headers: { ...req.headers, 'stripe-signature': signature } };
    },
  };
  return cannon({ origin: gateway.origin, headers: JSON_HEADERS, connections: SENDERS, durationS: opts.durationS, ...(opts.amount === undefined ? {} : { amount: opts.amount }), request });
}

const appliedCount = async (db: Client) => Number((await db.query<{ n: string }>('select count(*) as n from processed_events')).rows[0]?.n ?? 0);

interface Drain {
  /** Applied when the wait began. */
  from: number;
  target: number;
  /** Date.now() when the poll first saw every event applied; undefined on a timeout. */
  doneAt: number | undefined;
  waitedMs: number;
  left: number;
}

/** Polls until `target` events are in processed_events (each commits with its change). */
async function waitApplied(db: Client, target: number, timeoutMs = DEADLINE - Date.now()): Promise<Drain> {
  const started = Date.now();
  const from = await appliedCount(db);
  for (let n = from; ; n = await appliedCount(db)) {
    const now = Date.now();
    if (n >= target) return { from, target, doneAt: now, waitedMs: now - started, left: 0 };
    if (now - started > timeoutMs) return { from, target, doneAt: undefined, waitedMs: now - started, left: target - n };
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

interface Burst {
  send: CannonResult;
  events: number;
  firstSentAt: number;
  lastAckAt: number;
  /** Applied of this burst when its last ack arrived. */
  appliedAtLastAck: number;
  drain: Drain;
  /** processed_at of the burst's first and last applied event (Postgres now(), the transaction's start). */
  serverFirst: number;
  serverLast: number;
}

interface Run {
  idle: Phase<unknown>;
  settledS: number;
  max: Phase<CannonResult>;
  maxBuilt: number;
  paced: Phase<PacedResult>;
  pausedPaced: Phase<PacedResult>;
  /** How long the paused phase took, responses included: its CPU figures cover that time. */
  pausedMs: number;
  /** The backlog of max and paced, applied with no load: the worker's own pace. */
  backlog: Phase<Drain>;
  burstSend: Phase<CannonResult>;
  burstApply: Phase<Drain>;
  burst: Burst;
  queued: Phase<Queued>;
  stripeCalls: Record<string, number>;
}

interface Queued {
  events: number;
  /** How long sending took (worker paused). */
  sendMs: number;
  /** SIGCONT → every queued event applied. */
  drain: Drain;
  /** processed_at of the first and last applied queued event (each its transaction's start). */
  serverFirst: number;
  serverLast: number;
}

function paced(gateway: BenchProcess, source: WebhookSource, durationS: number): Promise<PacedResult> {
  return pacedLoad({
    origin: gateway.origin,
    headers: JSON_HEADERS,
    rate: RATE,
    durationS,
    maxInFlight: MAX_IN_FLIGHT,
    request: () => {
      const { body, signature } = source.next();
      return { method: 'POST', path: WEBHOOK_PATH, body, headers: { 'stripe-signature': signature } };
    },
  });
}

interface Stack {
  db: Client;
  gateway: BenchProcess;
  worker: BenchProcess;
  emulator: BenchProcess;
}

async function runPhases({ db, gateway, worker, emulator }: Stack, source: WebhookSource, groups: CpuGroups): Promise<Run> {
  const { idle, waitedS: settledS } = await settle(groups);
  // Warm-up (not reported): JIT, Kafka producer and consumer, the worker's pool.
  await closedLoop(gateway, source, { durationS: WARMUP_S });
  const warm = await waitApplied(db, CUSTOMERS + source.built, Math.min(60_000, DEADLINE - Date.now()));
  if (warm.doneAt === undefined) throw new Error(`the worker left ${warm.left} of ${source.built} warm-up events unapplied for 60 s`);
  await fetch(`${emulator.origin}/_emulator/stats/reset`, { method: 'POST' });

  const before = source.built;
  const max = await measured(`max accepted (${SENDERS} senders, ${MAX_S} s)`, groups, () => closedLoop(gateway, source, { durationS: MAX_S }));
  const maxBuilt = source.built - before;

  const pacedRun = await measured(`paced ${int(RATE)} events/s (${PACED_S} s)`, groups, () => paced(gateway, source, PACED_S));
  // The same rate with the worker stopped (SIGSTOP; shorter than its 10 s Kafka session, so it
  // keeps its partitions): what the gateway does when it does not share the 2 cores with the apply.
  process.kill(worker.pid, 'SIGSTOP');
  let pausedRun: Phase<PacedResult>;
  const pausedFrom = performance.now();
  try {
    pausedRun = await measured(`paced ${int(RATE)} events/s, worker paused (${PAUSED_S} s)`, groups, () => paced(gateway, source, PAUSED_S));
  } finally {
    process.kill(worker.pid, 'SIGCONT');
  }
  const pausedMs = performance.now() - pausedFrom;
  // No wait between the phases above: the worker runs flat out through them either way. Before the
  // burst it must be idle, and while it catches up alone we learn its own pace.
  const backlog = await measured('backlog of the phases above, no load (worker alone)', groups, () => waitApplied(db, CUSTOMERS + source.built));
  if (backlog.result.doneAt === undefined) throw new Error(`the worker still had ${backlog.result.left} events to apply ${(backlog.result.waitedMs / 1000).toFixed(0)} s after the paced phases (run deadline)`);

  const base = await appliedCount(db);
  source.firstBuiltAt = undefined;
  const burstSend = await measured(`burst of ${int(BURST)}: sending (${SENDERS} senders)`, groups, () => closedLoop(gateway, source, { durationS: 600, amount: BURST }));
  const lastAckAt = Date.now();
  const appliedAtLastAck = (await appliedCount(db)) - base;
  const burstApply = await measured(`burst of ${int(BURST)}: last ack → last applied`, groups, () => waitApplied(db, base + BURST));
  const { rows } = await db.query<{ first: Date; last: Date }>(
    'select min(processed_at) as first, max(processed_at) as last from processed_events where event_id >= $1',
    [eventId(source.built - BURST)],
  );
  const queued = await queuedApply(db, gateway, worker, source, groups);
  const stats = (await (await fetch(`${emulator.origin}/_emulator/stats`)).json()) as { requests: { by_route: Record<string, number> } };
  return {
    idle,
    settledS,
    max,
    maxBuilt,
    paced: pacedRun,
    pausedPaced: pausedRun,
    pausedMs,
    backlog,
    burstSend,
    burstApply,
    burst: {
      send: burstSend.result,
      events: BURST,
      firstSentAt: source.firstBuiltAt ?? lastAckAt,
      lastAckAt,
      appliedAtLastAck,
      drain: burstApply.result,
      serverFirst: rows[0]?.first.getTime() ?? Number.NaN,
      serverLast: rows[0]?.last.getTime() ?? Number.NaN,
    },
    queued,
    stripeCalls: stats.requests.by_route,
  };
}

const eventId = (index: number) => `evt_1Bench${runId}${String(index).padStart(8, '0')}`;

/** QUEUED events accepted while the worker is paused, then applied with nothing else running. */
async function queuedApply(db: Client, gateway: BenchProcess, worker: BenchProcess, source: WebhookSource, groups: CpuGroups): Promise<Phase<Queued>> {
  const base = await appliedCount(db);
  const first = source.built;
  const sendFrom = performance.now();
  process.kill(worker.pid, 'SIGSTOP');
  try {
    const sent = await closedLoop(gateway, source, { durationS: 600, amount: QUEUED });
    if (sent.non2xx + sent.errors > 0) throw new Error(`queued phase: ${sent.non2xx + sent.errors} of ${QUEUED} requests failed`);
  } finally {
    process.kill(worker.pid, 'SIGCONT');
  }
  const sendMs = performance.now() - sendFrom;
  const phase = await measured(`queue of ${int(QUEUED)}, applied after the worker resumed (worker alone)`, groups, () => waitApplied(db, base + QUEUED));
  const { rows } = await db.query<{ first: Date; last: Date }>('select min(processed_at) as first, max(processed_at) as last from processed_events where event_id >= $1', [eventId(first)]);
  return { ...phase, result: { events: QUEUED, sendMs, drain: phase.result, serverFirst: rows[0]?.first.getTime() ?? Number.NaN, serverLast: rows[0]?.last.getTime() ?? Number.NaN } };
}

interface Check {
  customers: number;
  mapped: number;
  wrong: string[];
  processed: number;
  byStatus: Record<string, number>;
  deadLetters: number;
  outboxStripe: number;
}

/** Every customer must hold its last event's state and timestamp: no lost update, no stale overwrite. */
async function verify(db: Client, source: WebhookSource): Promise<Check> {
  const { rows } = await db.query<{ external_id: string; name: string; email: string; last_source_ts: string | null; deleted_at: Date | null }>(
    `select m.external_id, c.name, c.email, m.last_source_ts, c.deleted_at
       from customers c join external_mappings m on m.internal_id = c.id and m.external_system = 'stripe'`,
  );
  const wrong: string[] = [];
  for (const row of rows) {
    const want = source.last.get(row.external_id);
    if (!want) continue;
    if (row.name !== want.name || row.email !== want.email || Number(row.last_source_ts) !== want.created || row.deleted_at) {
      const version = /v(\d+)$/.exec(row.name)?.[1];
      wrong.push(`${row.external_id}: holds ${version ? `v${version}` : JSON.stringify(row.name)} (source ts ${row.last_source_ts}), last sent v${want.version} (created ${want.created})`);
    }
  }
  const held = new Set(rows.map((r) => r.external_id));
  const missing = [...source.last.keys()].filter((id) => !held.has(id));
  for (const id of missing) wrong.push(`${id}: no customer mapped to it`);
  const count = async (q: string) => Number((await db.query<{ n: string }>(q)).rows[0]?.n ?? 0);
  const status = await db.query<{ status: string; n: string }>(`select status, count(*) as n from sync_events where direction = 'inbound' group by status`);
  return {
    customers: await count('select count(*) as n from customers'),
    mapped: rows.length,
    wrong,
    processed: await count('select count(*) as n from processed_events'),
    byStatus: Object.fromEntries(status.rows.map((r) => [r.status, Number(r.n)])),
    deadLetters: await count('select count(*) as n from dead_letters'),
    outboxStripe: await count(`select count(*) as n from outbox where origin = 'stripe'`),
  };
}

/** Seeds Stripe (the emulator) and imports it with the operator CLI: customers on both sides, mapped. */
async function setUp(emulator: BenchProcess, databaseUrl: string, brokers: string): Promise<{ customers: StripeCustomer[]; cli: Memory; importS: number }> {
  const customers = await seedCustomers(emulator, CUSTOMERS, `wh-seed-${runId}-`, 'Webhook Seed ');

  const started = performance.now();
  const cli = await spawnMeasured({
    name: 'sync-cli',
    script: 'apps/sync-cli/dist/index.js',
    args: ['--json', 'backfill', '--direction', 'import'],
    port: 0,
    readyPath: null,
    env: {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC_PREFIX: TOPIC_PREFIX,
      STRIPE_SECRET_KEY: STRIPE_KEY,
      STRIPE_API_BASE: emulator.origin,
      // The emulator has no rate limit; test mode's default of 25 reads/s would only slow the set-up.
      STRIPE_READ_RATE: '1000',
    },
  });
  const code = cli.child.exitCode ?? (await new Promise<number | null>((resolve) => cli.child.once('exit', (c) => resolve(c))));
  const memory = await cli.stop();
  if (code !== 0) throw new Error(`sync backfill exited with ${code}:\n${cli.output.join('\n')}`);
  return { customers, cli: memory, importS: (performance.now() - started) / 1000 };
}

/** Deletes earlier runs' topics (a crashed run leaves its own behind), and at the end this run's. */
async function dropTopics(brokers: string, which: 'earlier' | 'all'): Promise<void> {
  const admin = createKafka({ brokers: brokers.split(','), clientId: 'bench-webhook-admin', logger: { error() {}, warn() {}, info() {}, debug() {} } }).admin();
  await admin.connect();
  try {
    const ours = (await admin.listTopics()).filter((t) => t.startsWith(TOPIC_ROOT) && (which === 'all' || !t.startsWith(TOPIC_PREFIX)));
    if (ours.length > 0) await admin.deleteTopics({ topics: ours });
  } finally {
    await admin.disconnect();
  }
}

const verdict = (met: boolean) => (met ? '**met**' : '**missed**');
const pct = (v: number | undefined) => `${(v ?? 0).toFixed(0)} %`;
const rate = (events: number, ms_: number) => (events * 1000) / ms_;

/** Who used the CPU while the worker applied, and what that means for the applied rate. */
function applyLimit(name: string, cpu: CpuUsage, eventsPerS: number): string {
  const w = cpu.groups['inbound-worker'] ?? 0;
  const pg = cpu.groups[`postgres (${DATABASE})`] ?? 0;
  const k = cpu.groups.kafka ?? 0;
  const busy = `machine ${pct(cpu.busy)} busy of ${pct(cpu.capacity)}`;
  const perEvent = (share: number) => `${((share * 10) / Math.max(1, eventsPerS)).toFixed(2)} ms`;
  const cost = `per applied event: worker ${perEvent(w)}, Postgres ${perEvent(pg)} of CPU`;
  if (w >= 90) return `${name}: the worker's one Node.js thread is saturated (${pct(w)} of a core; Postgres ${pct(pg)}, Kafka ${pct(k)}, ${busy}); ${cost}.`;
  if (cpu.busy >= 0.8 * cpu.capacity) return `${name}: CPU — ${busy} (worker ${pct(w)}, Postgres ${pct(pg)}, Kafka ${pct(k)}): the processes queue for the same 2 cores; ${cost}.`;
  return `${name}: no CPU saturated (${busy}: worker ${pct(w)}, Postgres ${pct(pg)}, Kafka ${pct(k)}): the time is spent waiting — per-event transactions and their commit fsyncs, limited by how many run at once; ${cost}.`;
}

/** Why acks were slow, read off the CPU figures of the phase. */
function ackReason(cpu: CpuUsage): string {
  const g = cpu.groups['webhook-gateway'] ?? 0;
  const ranked = [...Object.entries(cpu.groups), ['other', cpu.other] as const]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([n, v]) => `${n} ${pct(v)}`)
    .join(', ');
  if (g >= 90) return `the gateway's one Node.js thread is saturated (${pct(g)} of a core; machine ${pct(cpu.busy)} busy: ${ranked})`;
  if (cpu.busy >= 0.8 * cpu.capacity) return `CPU: the machine was ${pct(cpu.busy)} busy of ${pct(cpu.capacity)} (${ranked}), so the gateway waits for a core behind the other processes`;
  return `no CPU saturated (machine ${pct(cpu.busy)} of ${pct(cpu.capacity)}: ${ranked}): the ack waits on Kafka (acks=all, one send in flight per gateway)`;
}

async function main() {
  const machine = describeMachine();
  const loadBefore = loadAverage();
  const started = new Date();
  const { databaseUrl, brokers } = await freshDatabase(DATABASE, TOPIC_PREFIX);
  await dropTopics(brokers, 'earlier').catch((err: unknown) => process.stderr.write(`could not delete old benchmark topics: ${String(err)}\n`));

  const memory: Record<string, Memory> = {};
  const procs: BenchProcess[] = [];
  const stopAll = async () => {
    for (const p of procs.reverse()) memory[p.name] = await p.stop();
  };
  const db = new Client({ connectionString: databaseUrl, application_name: 'bench' });
  await db.connect();
  let run: Run;
  let check: Check;
  let source: WebhookSource;
  let importS: number;
  let groups: CpuGroups;
  try {
    const emulator = await startEmulator(PORTS.emulator);
    procs.push(emulator);
    const setup = await setUp(emulator, databaseUrl, brokers);
    memory['sync-cli (set-up)'] = setup.cli;
    importS = setup.importS;
    const ready = await db.query<{ n: string }>(`select count(*) as n from external_mappings where external_system = 'stripe' and last_source_ts is not null`);
    if (Number(ready.rows[0]?.n) !== CUSTOMERS) throw new Error(`backfill mapped ${ready.rows[0]?.n} customers, expected ${CUSTOMERS}`);
    // The import stamped every mapping with its own second: our events come strictly after it.
    const { rows } = await db.query<{ ts: string }>('select max(last_source_ts) as ts from external_mappings');
    source = new WebhookSource(setup.customers, Number(rows[0]?.ts));

    // The self-healing jobs would read Stripe and add their own load: off, only the webhook path is measured.
    const { worker, gateway } = await startWebhookPath({ databaseUrl, kafkaBrokers: brokers, topicPrefix: TOPIC_PREFIX }, PORTS, emulator.origin);
    procs.push(worker, gateway);

    groups = [
      ['load generator', (p) => p.pid === process.pid],
      ['webhook-gateway', (p) => p.pid === gateway.pid],
      ['inbound-worker', (p) => p.pid === worker.pid],
      ['stripe-emulator', (p) => p.pid === emulator.pid],
      ...standardGroups(0, DATABASE).filter(([name]) => name !== 'load generator' && name !== 'api'),
    ];
    run = await runPhases({ db, gateway, worker, emulator }, source, groups);
    check = await verify(db, source);
  } finally {
    await stopAll();
    await db.end().catch(() => undefined);
  }
  await dropTopics(brokers, 'all').catch(() => undefined);

  const { max, paced, pausedPaced, burst, backlog } = run;
  const maxRate = max.result.reqPerSec;
  const pacedSustained = paced.result.gaveUpAtS === undefined;
  const pacedMet = pacedSustained && paced.result.latency.p99 <= AIM.ackP99;
  const burstApplied = burst.drain.doneAt === undefined ? Number.NaN : rate(burst.events, burst.drain.doneAt - burst.firstSentAt);
  const burstAccepted = rate(burst.events, burst.lastAckAt - burst.firstSentAt);
  const appliedMet = Number.isFinite(burstApplied) && burstApplied >= AIM.applied;
  const failures = [max, paced, pausedPaced, run.burstSend].reduce((n, p) => n + p.result.non2xx + p.result.errors, 0);
  const aloneEvents = backlog.result.target - backlog.result.from;
  const aloneRate = rate(aloneEvents, backlog.result.waitedMs);

  const ackRow = (name: string, events: number, r: CannonResult | PacedResult, throughput: string, aim: string) => [
    name,
    int(events),
    `${int(r.ok)} / ${r.non2xx} / ${r.errors}`,
    throughput,
    ms(r.latency.p50),
    ms(r.latency.p99),
    ms(r.latency.max),
    aim,
  ];
  const ackAim = (r: PacedResult) =>
    r.gaveUpAtS === undefined
      ? `p99 ≤ ${AIM.ackP99} ms at ${int(RATE)}/s: ${verdict(r.latency.p99 <= AIM.ackP99)}`
      : `p99 ≤ ${AIM.ackP99} ms at ${int(RATE)}/s: ${verdict(false)} (not sustained: ${MAX_IN_FLIGHT} in flight after ${r.gaveUpAtS.toFixed(1)} s, stopped)`;
  const pausedMet = pausedPaced.result.gaveUpAtS === undefined && pausedPaced.result.latency.p99 <= AIM.ackP99;
  const table = mdTable(
    ['measurement', 'events sent', '2xx / non-2xx / errors', 'throughput', 'ack p50', 'ack p99', 'ack max', 'aim'],
    [
      ackRow(max.name, run.maxBuilt, max.result, `${int(maxRate)} accepted/s`, `none (reference: p99 ≈ ${REFERENCE.p99} ms, ${SENDERS} senders)`),
      ackRow(paced.name, paced.result.sent, paced.result, `${int(paced.result.achievedRate)} sent/s`, ackAim(paced.result)),
      ackRow(pausedPaced.name, pausedPaced.result.sent, pausedPaced.result, `${int(pausedPaced.result.achievedRate)} sent/s`, `(diagnosis: the gateway without the apply) ${ackAim(pausedPaced.result)}`),
      ackRow(
        `burst of ${int(BURST)} (${SENDERS} senders), first sent → last applied`,
        burst.events,
        burst.send,
        `${int(burstAccepted)} accepted/s; **${Number.isFinite(burstApplied) ? int(burstApplied) : 'n/a'} applied/s**`,
        `≥ ${int(AIM.applied)} applied/s: ${verdict(appliedMet)} (reference ~${int(REFERENCE.applied)})`,
      ),
    ],
  );

  const sendMs = burst.lastAckAt - burst.firstSentAt;
  const behind = burst.events - burst.appliedAtLastAck;
  const tailMs = burst.drain.doneAt === undefined ? Number.NaN : burst.drain.doneAt - burst.lastAckAt;
  const duringRate = rate(burst.appliedAtLastAck, sendMs);
  const workerOwn = rate(burst.events, burst.serverLast - burst.serverFirst);
  const burstLines = [
    `first event sent → last ack: ${(sendMs / 1000).toFixed(2)} s (${int(burstAccepted)} accepted/s); applied meanwhile ${int(burst.appliedAtLastAck)} (${int(duringRate)}/s)`,
    `when the last ack arrived the apply was **${int(behind)} events behind** (${((100 * behind) / burst.events).toFixed(0)} % of the burst)`,
    burst.drain.doneAt === undefined
      ? `not all applied: ${int(burst.drain.left)} events still missing ${(burst.drain.waitedMs / 1000).toFixed(0)} s after the last ack`
      : `last ack → last change in Postgres: ${(tailMs / 1000).toFixed(2)} s (${int(rate(behind, tailMs))}/s with no load)`,
    `first sent → last applied: ${Number.isFinite(burstApplied) ? `${((burst.drain.doneAt! - burst.firstSentAt) / 1000).toFixed(2)} s = **${int(burstApplied)} applied events/s**` : 'n/a'} ` +
      `(the worker's first → last apply transaction by their processed_at: ${int(workerOwn)}/s)`,
    `the worker alone, applying the ${int(aloneEvents)} events left by the max and paced phases: ${int(aloneRate)} events/s`,
  ];
  const q = run.queued.result;
  const queuedOwn = rate(q.events, q.serverLast - q.serverFirst);
  const queuedLines = [
    `${int(q.events)} events accepted in ${(q.sendMs / 1000).toFixed(2)} s with the worker paused (SIGSTOP), then resumed (SIGCONT)`,
    q.drain.doneAt === undefined
      ? `not all applied: ${int(q.drain.left)} still missing after ${(q.drain.waitedMs / 1000).toFixed(0)} s`
      : `resume → last change in Postgres: ${(q.drain.waitedMs / 1000).toFixed(2)} s (${int(rate(q.events, q.drain.waitedMs))}/s, including the worker's first fetch after the pause)`,
    `first → last apply transaction by their processed_at: **${int(queuedOwn)} applied events/s** — the apply's own pace with the machine to itself`,
  ];

  const skipped = check.byStatus.skipped ?? 0;
  const statusLine = Object.entries(check.byStatus)
    .map(([st, n]) => `${st} ${int(n)}`)
    .join(', ');
  const skippedNote = skipped
    ? ` The ${int(skipped)} skipped are stale events: concurrent requests reach Kafka in the order the gateway finishes them, so a customer's older event can land after its newer one (while many requests queue at the gateway); the order guard drops the older one, as designed.`
    : '';
  const stripeCalls = Object.entries(run.stripeCalls)
    .map(([route, n]) => `${route} ${n}`)
    .join(', ');
  const rssLine = Object.entries(memory)
    .map(([name, m]) => `${name} ${mb(m.peakRssKb)}${m.hwmKb === undefined ? '' : ` (VmHWM ${mb(m.hwmKb)})`}`)
    .join(', ');

  const limits: string[] = [];
  if (!pacedMet) {
    const p = pausedPaced.result;
    const alone = pausedMet
      ? `With the worker paused the gateway meets it (p99 ${ms(p.latency.p99)}): the miss comes from sharing the 2 cores with the apply (worker and Postgres), not from the gateway's own path.`
      : `With the worker paused the gateway still misses it (p99 ${ms(p.latency.p99)}${p.gaveUpAtS === undefined ? '' : ', rate not sustained'}): ${ackReason(pausedPaced.cpu)}.`;
    // With a core to itself and the rate sustained, its CPU time per webhook is the gateway's own cost.
    const gatewayMs = ((pausedPaced.cpu.groups['webhook-gateway'] ?? 0) / 100) * (run.pausedMs / Math.max(1, p.ok + p.non2xx));
    const cost =
      p.gaveUpAtS === undefined
        ? `With the worker paused the gateway spent ${gatewayMs.toFixed(2)} ms of CPU per webhook, so ${int(RATE)}/s takes ${int((gatewayMs * RATE) / 10)} % of a core before anything else runs. `
        : '';
    limits.push(`Limit — ack p99 at ${int(RATE)}/s ${ms(paced.result.latency.p99)}${pacedSustained ? '' : ' (rate not sustained)'}: ${ackReason(paced.cpu)}. ${alone} ${cost}`.trimEnd());
  }
  if (!appliedMet) {
    limits.push(
      `Limit — ${applyLimit(`applied rate, worker alone (queue of ${int(QUEUED)})`, run.queued.cpu, rate(q.events, q.drain.waitedMs))} ` +
        'The worker applies each partition batch in waves (one event per customer a wave; apps/inbound-worker applyEventBatch → ' +
        'packages/domain applyUpdateBatch): per wave one transaction (begin; lock the mappings and customers, with the dedupe and email-owner checks; ' +
        'one statement writing customers, outbox, mappings, processed_events and sync_events; commit), so the cost left is per row: ' +
        'about five row writes and a dozen index entries per event in Postgres, and decoding plus building the rows in the worker.',
    );
    limits.push(`Limit — ${applyLimit('applied rate while the burst was sent', run.burstSend.cpu, duringRate)} The gateway, Kafka and the load generator take their share of the 2 cores as well.`);
  }


  const section = `## Webhooks (\`apps/webhook-gateway\` → \`apps/inbound-worker\`): ack latency and applied rate

- command: \`${QUICK ? 'BENCH_QUICK=1 ' : ''}bash bench/run.sh webhook\` (\`bench/webhook.bench.ts\`); run ${started.toISOString()}${QUICK ? ' — **quick development run: short phases, figures not comparable**' : ''}
- machine: ${machineLine(machine)}; load average (1/5/15 min) before ${loadBefore}, after ${loadAverage()}
- set-up: the built \`apps/webhook-gateway/dist\` and \`apps/inbound-worker/dist\` (\`NODE_ENV=production\`, \`LOG_LEVEL=warn\`,
  defaults otherwise: worker \`INBOUND_CONCURRENCY=16\`, \`DB_POOL_MAX=10\`; 6 partitions of \`sync.inbound\`), fresh database
  \`${DATABASE}\`, topics \`${TOPIC_ROOT}<run>.*\`; the Stripe emulator as its own process (the worker's \`STRIPE_API_BASE\`); the
  worker's catch-up poller and scheduled reconcile **off** (\`CATCHUP_INTERVAL_MS=0\`, \`RECONCILE_INTERVAL_MS=0\`), so only the
  webhook path runs. ${int(CUSTOMERS)} customers seeded in the emulator and imported with \`sync backfill --direction import\`
  (${importS.toFixed(1)} s), so each exists on both sides, mapped. No relay or outbound worker runs: the outbox rows the
  worker writes (origin \`stripe\`) stay unpublished.
- load: \`customer.updated\` events built like Stripe's (the emulator's customer object with a new name and email, previous_attributes,
  unique ids), signed with the gateway's \`STRIPE_WEBHOOK_SECRET\` by the Stripe SDK; customers take turns, so every event is a real
  change and a customer's \`created\` grows by one second per event (never a same-second tie). Closed loop: autocannon, ${SENDERS} connections,
  after a ${WARMUP_S} s warm-up (not reported); paced: request i leaves at t0 + i/${int(RATE)} s whatever the responses do, at most ${MAX_IN_FLIGHT} in
  flight. Acks timed per request by the client. Max and paced run back to back (the worker is flat out in both); before the burst the
  worker catches up with no load (the “worker alone” row), so the burst starts with nothing queued.
- applied: \`processed_events\` gets one row per event in the transaction that applies it, so its count is what is in Postgres;
  polled every ${POLL_MS} ms (one count, a few ms of Postgres each).

${table}

Burst of ${int(BURST)} events:
${burstLines.map((l) => `- ${l}`).join('\n')}

Queue of ${int(QUEUED)} events (the apply alone):
${queuedLines.map((l) => `- ${l}`).join('\n')}

Check afterwards: ${check.wrong.length === 0 ? `**each of the ${int(check.mapped)} customers holds the name, email and source timestamp of the last event sent for it**` : `**${check.wrong.length} customers do not hold their last sent state** (first: ${check.wrong.slice(0, 3).join('; ')})`}; ${int(check.customers)} customers in all (none created by the events); processed events ${int(check.processed)} (${int(CUSTOMERS)} from the import + ${int(source.built)} sent); inbound sync_events by status: ${statusLine}; outbox rows with origin \`stripe\`: ${int(check.outboxStripe)}; dead letters: ${check.deadLetters}; Stripe API calls during the phases (the worker fetches current state only on a same-second tie): ${stripeCalls || 'none'}. Failed requests: ${failures}.${skippedNote}

Peak RSS (VmRSS sampled every 500 ms): ${rssLine}.

CPU by process during each phase (% of one core; “other” is every other process and the kernel;
waited ${run.settledS.toFixed(0)} s first for other processes to drop below 25 % of a core, 30 s at most):

${cpuTable([run.idle, run.max, run.paced, pausedPaced, backlog, run.burstSend, run.burstApply, run.queued], groups)}

${limits.length ? limits.join('\n\n') : 'Both aims met.'}`;

  if (!QUICK) writeSection('webhook', section);
  process.stdout.write(`${section}\n`);
  const figures: Figure[] = [
    { measure: `webhook: accepted events/s, ${SENDERS} concurrent senders`, value: `${int(maxRate)} events/s`, aim: '' },
    { measure: `webhook: ack p99, ${SENDERS} concurrent senders (reference ≈ ${REFERENCE.p99} ms)`, value: ms(max.result.latency.p99), aim: '' },
    { measure: `webhook: ack p99 at ${int(RATE)} events/s (paced)`, value: `${ms(paced.result.latency.p99)}${pacedSustained ? '' : ' (rate not sustained)'}`, aim: `≤ ${AIM.ackP99} ms`, met: pacedMet },
    {
      measure: `webhook: ack p99 at ${int(RATE)} events/s with the inbound worker paused (gateway alone)`,
      value: `${ms(pausedPaced.result.latency.p99)}${pausedPaced.result.gaveUpAtS === undefined ? '' : ' (rate not sustained)'}`,
      aim: '',
    },
    {
      measure: `webhook: applied events/s, first sent → last in Postgres (burst of ${int(BURST)}; reference ~${int(REFERENCE.applied)})`,
      value: Number.isFinite(burstApplied) ? `${int(burstApplied)} events/s` : 'n/a',
      aim: `≥ ${int(AIM.applied)} events/s`,
      met: appliedMet,
    },
    { measure: 'webhook: apply backlog when the burst’s last ack arrived', value: `${int(behind)} events`, aim: '' },
    { measure: `webhook: applied events/s from a queue of ${int(QUEUED)} (worker alone, first → last apply transaction)`, value: `${int(queuedOwn)} events/s`, aim: '' },
  ];
  if (!QUICK) saveResults({ name: 'webhook', figures, rss: memory });

  if (check.wrong.length > 0) throw new Error(`${check.wrong.length} customers do not hold their last sent state: ${check.wrong.slice(0, 5).join('; ')}`);
  if (failures > 0) throw new Error(`${failures} webhook requests failed (see the table above)`);
  if (burst.drain.doneAt === undefined) throw new Error(`${burst.drain.left} burst events were never applied`);
  if (q.drain.doneAt === undefined) throw new Error(`${q.drain.left} queued events were never applied`);
}

main().catch((err: unknown) => {
  process.stderr.write(`webhook benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
