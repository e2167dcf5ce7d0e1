/**
 * Us beside the peer (issue #17): the same signed `customer.updated` webhooks, from the same load
 * generator (autocannon, 20 concurrent senders), to @supabase/stripe-sync-engine's webhook server
 * and to our webhook gateway + inbound worker, each on a database of its own on the same Postgres,
 * in alternating rounds (peer, ours, peer, ours) so that the machine's noise hits both. A round
 * sends (a) one event to each of CUSTOMERS customers new to both, then (b) one more to each of
 * them, now known (in the peer's table; linked here). Per side and round: accepted events/s and ack
 * p50/p99 (timed by the client), applied events/s (first sent → the poll that sees the last one in
 * Postgres), each process's CPU seconds and peak RSS. Afterwards each side must hold every
 * customer's last state, or the run fails.
 * Run: bash bench/run.sh webhook-peer
 * BENCH_QUICK=1: fewer customers, for development: the section is printed, nothing is written.
 * Under bench/run.sh profile only our side runs (the peer is not ours to profile).
 */
import type { Request } from 'autocannon';
import { Client } from 'pg';
import { startEmulator, type BenchProcess } from './lib/app-process';
import { cannon, type CannonResult } from './lib/cannon';
import { standardGroups, type CpuGroups, type CpuUsage } from './lib/cpu';
import { cpuTable, measured, ranked, settle, type Phase } from './lib/cpu-report';
import { jvmPauses, pausesBetween, type JvmPauses } from './lib/jvm-pauses';
import { processRunQueueWaitMs, runQueueWaitMs, waitBetween } from './lib/run-queue';
import { dropKafkaLeftovers, ourKafkaOnly, ourKafkaPid } from './lib/kafka';
import { describeMachine, loadAverage, machineLine } from './lib/machine';
import { PEER_NAME, PEER_SCHEMA, PEER_WEBHOOK_PATH, peerDatabase, startPeer } from './lib/peer';
import { mdTable, profiling, writeSection } from './lib/report';
import { saveResults, type Figure } from './lib/results';
import { freshDatabase, infraEnv } from './lib/stack';
import { customerUpdatedBody, JSON_HEADERS, seedCustomers, signature, startWebhookPath, WEBHOOK_PATH, type StripeCustomer } from './lib/stripe-webhooks';
import { int, mb, ms } from './lib/stats';

const QUICK = process.env.BENCH_QUICK === '1';
const OURS_DB = 'customer_sync_bench_vs_ours';
const PEER_DB = 'customer_sync_bench_vs_peer';
const runId = Date.now().toString(36);
const TOPIC_ROOT = 'bench-vs.';
const TOPIC_PREFIX = `${TOPIC_ROOT}${runId}.`;
const PORTS = { gateway: 18130, worker: 18131, emulator: 18132, peer: 18133 };
const CUSTOMERS = QUICK ? 1_000 : 5_000;
// Enough for the JIT and the pools; our create path takes ~10 ms a customer, and the run has 300 s in all.
// Our side's first thousand or two events after start run slower than the rest (three processes' JIT, the
// Kafka consumer group settling, and on a fresh database the wave statements planned each time until
// autovacuum's first ANALYZE: StatisticsGate): 500 customers left round 1's first scenario ~30-80 % above
// round 2's ack p99 on our side. 2,000 per side (4,000 events) measures both sides running; the warm-up's own
// figures are reported beside the rounds.
const WARMUP_CUSTOMERS = QUICK ? 200 : 2_000;
// One round is enough load for a profile (and the profiler slows our side down).
const ROUNDS = profiling() ? 1 : 2;
const SENDERS = 20;
const POLL_MS = 100;
/** Date.now() with performance.now()'s resolution. */
const preciseNow = () => performance.timeOrigin + performance.now();
const SIDES: Side[] = profiling() ? ['ours'] : ['peer', 'ours'];
// bench/run.sh kills a benchmark after BENCH_TIMEOUT_S: stop waiting in time to say why.
const DEADLINE = Date.now() + (Number(process.env.BENCH_TIMEOUT_S) || 300) * 1000 - 30_000;

type Side = 'peer' | 'ours';
type Scenario = 'new' | 'known';
const SCENARIOS: Scenario[] = ['new', 'known'];
const SCENARIO_TEXT: Record<Scenario, string> = { new: '(a) customers new to both', known: '(b) updates of known customers' };

/** One scenario's events, the same bodies for both sides (each signed when it is sent). */
interface Batch {
  scenario: Scenario;
  /** The events' `created`: the peer stamps it as last_synced_at, we as the mapping's source ts. */
  created: number;
  bodies: string[];
  customers: StripeCustomer[];
  /** Per customer, the name and email its event sets. */
  want: Array<{ name: string; email: string }>;
}

/** A set of customers and its two scenarios; set 0 is the warm-up. */
function buildSet(set: number, customers: StripeCustomer[], baseTs: number): Batch[] {
  const prev = customers.map((c) => ({ name: c.name, email: c.email }));
  return SCENARIOS.map((scenario, v) => {
    const version = v + 1;
    const created = baseTs + version;
    const want = customers.map((_, i) => ({ name: `VS Bench ${set}-${i} v${version}`, email: `vs${set}-${i}-v${version}-${runId}@example.com` }));
    const bodies = customers.map((customer, i) => {
      const eventId = `evt_1Vs${runId}${set}${version}${String(i).padStart(6, '0')}`;
      const body = customerUpdatedBody(customer, { eventId, created, ...want[i]!, previous: prev[i]!, requestId: `req_vs${runId}${set}${version}${i}` });
      prev[i] = want[i]!;
      return body;
    });
    return { scenario, created, bodies, customers, want };
  });
}

/** One side of the comparison: where it takes webhooks, how to count what it applied, and what it holds. */
interface Target {
  side: Side;
  origin: string;
  path: string;
  procs: BenchProcess[];
  /** The process that answers the webhooks (the peer's server, our gateway). */
  answerer: BenchProcess;
  db: Client;
  /** How many of the batch's events are in Postgres now. */
  applied(batch: Batch, base: number): Promise<number>;
  /** What counts before the batch (ours: processed_events so far). */
  base(): Promise<number>;
  /** The customers of the batch that do not hold its state. */
  wrong(batch: Batch): Promise<string[]>;
}

const count = async (db: Client, sql: string, params: unknown[] = []) => Number((await db.query<{ n: string }>(sql, params)).rows[0]?.n ?? 0);

function peerTarget(peer: BenchProcess, db: Client): Target {
  return {
    side: 'peer',
    origin: peer.origin,
    path: PEER_WEBHOOK_PATH,
    procs: [peer],
    answerer: peer,
    db,
    base: async () => 0,
    // Its upsert stamps last_synced_at with the event's created, and only moves it forward.
    applied: (batch) => count(db, `select count(*) as n from ${PEER_SCHEMA}.customers where last_synced_at = to_timestamp($1)`, [batch.created]),
    wrong: async (batch) => {
      const { rows } = await db.query<{ id: string; name: string; email: string }>(`select id, name, email from ${PEER_SCHEMA}.customers where id = any($1::text[])`, [batch.customers.map((c) => c.id)]);
      return mismatches(batch, rows);
    },
  };
}

function oursTarget(gateway: BenchProcess, worker: BenchProcess, db: Client): Target {
  return {
    side: 'ours',
    origin: gateway.origin,
    path: WEBHOOK_PATH,
    procs: [gateway, worker],
    answerer: gateway,
    db,
    // Every event gets its processed_events row in the transaction that applies it.
    base: () => count(db, 'select count(*) as n from processed_events'),
    applied: async (_batch, base) => (await count(db, 'select count(*) as n from processed_events')) - base,
    wrong: async (batch) => {
      const { rows } = await db.query<{ id: string; name: string; email: string }>(
        `select m.external_id as id, c.name, c.email from customers c
           join external_mappings m on m.internal_id = c.id and m.external_system = 'stripe'
          where m.external_id = any($1::text[]) and c.deleted_at is null`,
        [batch.customers.map((c) => c.id)],
      );
      return mismatches(batch, rows);
    },
  };
}

function mismatches(batch: Batch, rows: Array<{ id: string; name: string; email: string }>): string[] {
  const held = new Map(rows.map((r) => [r.id, r]));
  return batch.customers.flatMap((c, i) => {
    const row = held.get(c.id);
    const want = batch.want[i]!;
    if (!row) return [`${c.id}: missing`];
    return row.name === want.name && row.email === want.email ? [] : [`${c.id}: holds ${row.name}, sent ${want.name}`];
  });
}

interface Sent {
  send: CannonResult;
  /** Requests autocannon built (must be the batch's size). */
  built: number;
  firstSentAt: number;
  lastAckAt: number;
  /** Date.now() (fractional ms) of the poll that first saw every event in Postgres; undefined past the deadline. */
  doneAt: number | undefined;
  left: number;
}

/**
 * Sends the batch and, from its first request on, polls the side's database every POLL_MS until
 * every event is applied: the applied time does not wait for the send to end (autocannon reports
 * the end on its 1 s tick), and the ack times are the load generator's own (first request built,
 * last response), not autocannon's whole-second duration.
 */
async function sendBatch(target: Target, batch: Batch): Promise<Sent> {
  // Signed just before, not while sending: the load generator's CPU goes to the load.
  const signed = batch.bodies.map((body) => ({ body, sig: signature(body) }));
  const base = await target.base();
  let built = 0;
  const request: Request = {
    method: 'POST',
    path: target.path,
    setupRequest: (req: Request) => {
      const event = signed[built++ % signed.length]!;
      return { ...req, body: event.body, headers: { ...req.headers, 'stripe-signature': event.sig } };
    },
  };
  let sending = true;
  const watch = (async () => {
    for (;;) {
      const n = await target.applied(batch, base);
      const now = preciseNow();
      if (n >= signed.length) return { doneAt: now, left: 0 };
      if (now > DEADLINE) return { doneAt: undefined, left: signed.length - n };
      // While the load runs, a poll shares the machine with it: every POLL_MS, both sides alike.
      await new Promise((r) => setTimeout(r, sending ? POLL_MS : POLL_MS / 2));
    }
  })();
  const send = await cannon({ origin: target.origin, headers: JSON_HEADERS, connections: SENDERS, durationS: 600, amount: signed.length, request }).finally(() => {
    sending = false;
  });
  const { doneAt, left } = await watch;
  return { send, built, firstSentAt: send.firstSentAt, lastAckAt: send.lastResponseAt, doneAt, left };
}

interface Round {
  side: Side;
  round: number;
  scenarios: Record<Scenario, Phase<Sent>>;
  /** The broker's stop-the-world GC pauses during each scenario (undefined: its counters could not be read). */
  kafkaPauses: Record<Scenario, JvmPauses | undefined>;
  /** Milliseconds the main thread of the process that answers the webhooks waited for a core during each scenario. */
  answerWaitMs: Record<Scenario, number | undefined>;
  /** The same for every thread of the Kafka broker together (our side's answers wait on it). */
  kafkaWaitMs: Record<Scenario, number | undefined>;
  /** Peak RSS of each of the side's processes during the round. */
  peakKb: Record<string, number>;
  stripeCalls: Record<string, number>;
  wrong: string[];
}

async function runRound(target: Target, round: number, batches: Batch[], groups: CpuGroups, emulator: BenchProcess, kafkaPid: number | undefined): Promise<Round> {
  for (const p of target.procs) p.rss.resetPeak();
  await fetch(`${emulator.origin}/_emulator/stats/reset`, { method: 'POST' });
  const scenarios = {} as Record<Scenario, Phase<Sent>>;
  const kafkaPauses = {} as Record<Scenario, JvmPauses | undefined>;
  const answerWaitMs = {} as Record<Scenario, number | undefined>;
  const kafkaWaitMs = {} as Record<Scenario, number | undefined>;
  const kafkaWaitNow = () => (kafkaPid === undefined ? undefined : processRunQueueWaitMs(kafkaPid));
  const pausesNow = () => (kafkaPid === undefined ? undefined : jvmPauses(kafkaPid));
  const answerer = target.answerer.pid;
  for (const batch of batches) {
    const before = pausesNow();
    const waitedBefore = runQueueWaitMs(answerer);
    const kafkaWaitedBefore = kafkaWaitNow();
    scenarios[batch.scenario] = await measured(`${target.side} round ${round}: ${SCENARIO_TEXT[batch.scenario]}`, groups, () => sendBatch(target, batch));
    answerWaitMs[batch.scenario] = waitBetween(waitedBefore, runQueueWaitMs(answerer));
    kafkaWaitMs[batch.scenario] = waitBetween(kafkaWaitedBefore, kafkaWaitNow());
    kafkaPauses[batch.scenario] = pausesBetween(before, pausesNow());
  }
  const stats = (await (await fetch(`${emulator.origin}/_emulator/stats`)).json()) as { requests: { by_route: Record<string, number> } };
  const peakKb = Object.fromEntries(target.procs.map((p) => (p.rss.sample(), [p.name, p.rss.peakKb])));
  return { side: target.side, round, scenarios, kafkaPauses, answerWaitMs, kafkaWaitMs, peakKb, stripeCalls: stats.requests.by_route, wrong: await target.wrong(batches[batches.length - 1]!) };
}

// ---- the report ----

const rate = (events: number, fromMs: number, toMs: number | undefined) => (toMs === undefined ? Number.NaN : (events * 1000) / Math.max(1, toMs - fromMs));
const accepted = (s: Sent) => rate(s.send.ok, s.firstSentAt, s.lastAckAt);
const applied = (s: Sent, n: number) => rate(n, s.firstSentAt, s.doneAt);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const secs = (v: number) => `${v.toFixed(2)} s`;

interface Figures {
  accepted: number;
  p50: number;
  p99: number;
  applied: number;
  allAppliedS: number;
}

function figuresOf(phase: Phase<Sent>): Figures {
  const s = phase.result;
  return { accepted: accepted(s), p50: s.send.latency.p50, p99: s.send.latency.p99, applied: applied(s, CUSTOMERS), allAppliedS: s.doneAt === undefined ? Number.NaN : (s.doneAt - s.firstSentAt) / 1000 };
}

/** The CPU seconds of the side's own processes (what it runs to receive and apply), its database's Postgres backends and Kafka. */
function cpuOf(side: Side, cpu: CpuUsage): { own: Record<string, number>; postgres: number; kafka: number; loadGenerator: number; total: number } {
  const own = side === 'peer' ? { [PEER_NAME]: cpu.seconds[PEER_NAME] ?? 0 } : { 'webhook-gateway': cpu.seconds['webhook-gateway'] ?? 0, 'inbound-worker': cpu.seconds['inbound-worker'] ?? 0 };
  const postgres = cpu.seconds[`postgres (${side === 'peer' ? PEER_DB : OURS_DB})`] ?? 0;
  const kafka = side === 'ours' ? (cpu.seconds.kafka ?? 0) : 0;
  const total = Object.values(own).reduce((a, b) => a + b, 0) + postgres + kafka;
  return { own, postgres, kafka, loadGenerator: cpu.seconds['load generator'] ?? 0, total };
}

const bySide = (rounds: Round[], side: Side) => rounds.filter((r) => r.side === side);
const cells = (rounds: Round[], format: (r: Round) => string) => (rounds.length ? rounds.map(format).join(' / ') : '—');

function scenarioRows(rounds: Round[], scenario: Scenario): string[][] {
  const label = SCENARIO_TEXT[scenario];
  const row = (measure: string, format: (r: Round, f: Figures, cpu: ReturnType<typeof cpuOf>) => string) => [
    `${label}: ${measure}`,
    ...SIDES.map((side) => cells(bySide(rounds, side), (r) => format(r, figuresOf(r.scenarios[scenario]), cpuOf(side, r.scenarios[scenario].cpu)))),
  ];
  return [
    row('accepted events/s', (_r, f) => int(f.accepted)),
    row('ack p50', (_r, f) => ms(f.p50)),
    row('ack p99', (_r, f) => ms(f.p99)),
    row('**applied events/s** (first sent → last in Postgres)', (_r, f) => int(f.applied)),
    row(`all ${int(CUSTOMERS)} applied after`, (_r, f) => secs(f.allAppliedS)),
    row('CPU s, its processes', (_r, _f, c) => Object.entries(c.own).map(([n, v]) => `${Object.keys(c.own).length > 1 ? `${n} ` : ''}${v.toFixed(1)}`).join(' + ')),
    row('CPU s, Postgres (its database)', (_r, _f, c) => c.postgres.toFixed(1)),
    row('CPU s, Kafka', (r, _f, c) => (r.side === 'peer' ? 'none' : c.kafka.toFixed(1))),
    row('the answering process: its main thread waiting for a core', (r) => waitText(r.answerWaitMs[scenario])),
    row("Kafka's threads waiting for a core (their sum)", (r) => (r.side === 'peer' ? 'none' : waitText(r.kafkaWaitMs[scenario]))),
    row("Kafka's GC pauses (their total)", (r) => (r.side === 'peer' ? 'none' : pausesText(r.kafkaPauses[scenario]))),
    row('CPU ms per event (its processes + Postgres + Kafka)', (_r, _f, c) => ((c.total * 1000) / CUSTOMERS).toFixed(2)),
    row('CPU s, load generator', (_r, _f, c) => c.loadGenerator.toFixed(1)),
  ];
}

const waitText = (w: number | undefined) => (w === undefined ? 'n/a' : `${int(w)} ms`);
const pausesText = (p: JvmPauses | undefined) => (!p ? 'n/a' : p.count === 0 ? '0' : `${p.count} (${ms(p.seconds * 1000)})`);

/** The broker's GC pauses over our rounds of a scenario, for its limit line ('' when they could not be read). */
function pausesSentence(pauses: Array<JvmPauses | undefined>): string {
  if (pauses.some((p) => p === undefined)) return '';
  if (pauses.every((p) => p!.count === 0)) return ' No GC pause of the broker fell into our rounds.';
  return ` Kafka's GC stopped the broker in our rounds (pauses, their total): ${pauses.map(pausesText).join(' / ')}; every produce in flight waits out a pause.`;
}

/** The warm-up round's own figures (not in the aims): how far from running each side starts. */
function warmupLine(warmups: Round[]): string {
  const side = (r: Round) =>
    `${r.side}: ` +
    SCENARIOS.map((sc) => {
      const s = r.scenarios[sc].result;
      return `${SCENARIO_TEXT[sc].slice(0, 3)} ${int(accepted(s))} accepted/s, ack p99 ${ms(s.send.latency.p99)}, ${int(applied(s, WARMUP_CUSTOMERS))} applied/s`;
    }).join('; ');
  return warmups.length ? `The warm-up round (${int(WARMUP_CUSTOMERS)} customers per side, the first after start; not in the aims) — ${warmups.map(side).join(' — ')}.` : '';
}

interface Aim {
  scenario: Scenario;
  measure: string;
  ours: number;
  peer: number;
  met: boolean;
  format: (v: number) => string;
}

function aims(rounds: Round[]): Aim[] {
  if (!SIDES.includes('peer')) return [];
  const avg = (side: Side, scenario: Scenario, pick: (f: Figures) => number) => mean(bySide(rounds, side).map((r) => pick(figuresOf(r.scenarios[scenario]))));
  return SCENARIOS.flatMap((scenario) => {
    const one = (measure: string, pick: (f: Figures) => number, better: 'higher' | 'lower', format: (v: number) => string): Aim => {
      const ours = avg('ours', scenario, pick);
      const peer = avg('peer', scenario, pick);
      return { scenario, measure, ours, peer, met: better === 'higher' ? ours >= peer : ours <= peer, format };
    };
    return [
      one('accepted events/s', (f) => f.accepted, 'higher', (v) => `${int(v)}/s`),
      one('ack p99', (f) => f.p99, 'lower', ms),
      one('applied events/s', (f) => f.applied, 'higher', (v) => `${int(v)}/s`),
    ];
  });
}

/** What bounded our side in a scenario with a missed aim: where its CPU went, per event, beside the peer's. */
function limitOf(rounds: Round[], scenario: Scenario, missed: Aim[]): string {
  const ours = bySide(rounds, 'ours').map((r) => r.scenarios[scenario]);
  const peer = bySide(rounds, 'peer').map((r) => r.scenarios[scenario]);
  const pctOf = (phases: Array<Phase<Sent>>, group: string) => `${mean(phases.map((p) => p.cpu.groups[group] ?? 0)).toFixed(0)} %`;
  const perEvent = (phases: Array<Phase<Sent>>, group: string) => `${((mean(phases.map((p) => p.cpu.seconds[group] ?? 0)) * 1000) / CUSTOMERS).toFixed(2)} ms`;
  const busiest = ours.reduce((a, b) => (a.cpu.busy >= b.cpu.busy ? a : b));
  const paused = pausesSentence(bySide(rounds, 'ours').map((r) => r.kafkaPauses[scenario]));
  return (
    `Limit — ${SCENARIO_TEXT[scenario]} (missed: ${missed.map((a) => `${a.measure} ${a.format(a.ours)} vs ${a.format(a.peer)}`).join('; ')}). ` +
    `Ours, mean of the rounds, % of one core: gateway ${pctOf(ours, 'webhook-gateway')}, inbound worker ${pctOf(ours, 'inbound-worker')}, ` +
    `Postgres ${pctOf(ours, `postgres (${OURS_DB})`)}, Kafka ${pctOf(ours, 'kafka')}; CPU per event: gateway ${perEvent(ours, 'webhook-gateway')}, ` +
    `worker ${perEvent(ours, 'inbound-worker')}, Postgres ${perEvent(ours, `postgres (${OURS_DB})`)}, Kafka ${perEvent(ours, 'kafka')} — the peer: ` +
    `its process ${perEvent(peer, PEER_NAME)}, Postgres ${perEvent(peer, `postgres (${PEER_DB})`)}. The busiest of our rounds had the machine ` +
    `${busiest.cpu.busy.toFixed(0)} % busy of ${busiest.cpu.capacity} % (${ranked(busiest.cpu, 6)}).${paused}`
  );
}

function rssRows(rounds: Round[]): string[][] {
  const names = [...new Set(rounds.flatMap((r) => Object.keys(r.peakKb)))];
  return names.map((name) => {
    const side = rounds.find((r) => name in r.peakKb)!.side;
    return [`peak RSS: ${name}`, ...SIDES.map((s) => (s === side ? cells(bySide(rounds, s), (r) => mb(r.peakKb[name] ?? 0)) : ''))];
  });
}

// ---- the run ----

async function main() {
  const machine = describeMachine();
  const loadBefore = loadAverage();
  const started = new Date();
  const procs: BenchProcess[] = [];
  const clients: Client[] = [];
  const rounds: Round[] = [];
  const warmups: Round[] = [];
  let groups: CpuGroups = [];
  let idle: Phase<unknown> | undefined;
  let settledS = 0;
  // Earlier runs' topics (a crashed run leaves its own), before this run's are made.
  await dropKafkaLeftovers(infraEnv().brokers, TOPIC_ROOT, 'bench-vs-admin').catch(() => undefined);
  const { databaseUrl: oursUrl, brokers } = await freshDatabase(OURS_DB, TOPIC_PREFIX);
  try {
    const emulator = await startEmulator(PORTS.emulator);
    procs.push(emulator);
    const nowS = Math.floor(Date.now() / 1000);
    const sets: Batch[][] = [];
    for (let set = 0; set <= ROUNDS; set++) {
      const size = set === 0 ? WARMUP_CUSTOMERS : CUSTOMERS;
      const customers = await seedCustomers(emulator, size, `vs-seed-${runId}-${set}-`, `VS Seed ${set} `);
      sets.push(buildSet(set, customers, nowS - 600 + set * 10));
    }

    const targets: Target[] = [];
    if (SIDES.includes('peer')) {
      const peerUrl = await peerDatabase(PEER_DB);
      const peer = await startPeer(peerUrl, PORTS.peer, emulator.origin);
      procs.push(peer);
      const db = new Client({ connectionString: peerUrl, application_name: 'bench' });
      await db.connect();
      clients.push(db);
      targets.push(peerTarget(peer, db));
    }
    const { gateway, worker } = await startWebhookPath({ databaseUrl: oursUrl, kafkaBrokers: brokers, topicPrefix: TOPIC_PREFIX }, PORTS, emulator.origin);
    procs.push(worker, gateway);
    const db = new Client({ connectionString: oursUrl, application_name: 'bench' });
    await db.connect();
    clients.push(db);
    targets.push(oursTarget(gateway, worker, db));

    const peerPid = procs.find((p) => p.name === PEER_NAME)?.pid;
    const kafkaPid = ourKafkaPid(brokers);
    groups = ourKafkaOnly(
      [
        ['load generator', (p) => p.pid === process.pid],
        [PEER_NAME, (p) => p.pid === peerPid],
        ['webhook-gateway', (p) => p.pid === gateway.pid],
        ['inbound-worker', (p) => p.pid === worker.pid],
        ['stripe-emulator', (p) => p.pid === emulator.pid],
        ...standardGroups(0, PEER_DB).filter(([name]) => name.startsWith('postgres (customer')),
        ...standardGroups(0, OURS_DB).filter(([name]) => name !== 'load generator' && name !== 'api'),
      ],
      brokers,
    );
    // Warm-up (not in the aims): JIT, connections, Kafka producer and consumer group, both sides.
    for (const target of targets) {
      const warm = await runRound(target, 0, sets[0]!, groups, emulator, kafkaPid);
      warmups.push(warm);
      const late = Object.values(warm.scenarios).find((p) => p.result.doneAt === undefined);
      if (late) throw new Error(`${target.side} left ${late.result.left} warm-up events unapplied`);
    }
    // At most 10 s (not the usual 30): the rounds need the time, and they alternate to share the noise anyway.
    ({ idle, waitedS: settledS } = await settle(groups, 10));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const target of targets) rounds.push(await runRound(target, round, sets[round]!, groups, emulator, kafkaPid));
    }
  } finally {
    for (const c of clients) await c.end().catch(() => undefined);
    for (const p of procs.reverse()) await p.stop();
    await dropKafkaLeftovers(brokers, TOPIC_ROOT, 'bench-vs-admin').catch(() => undefined);
  }

  const table = mdTable(['measure', ...SIDES.map((s) => (s === 'peer' ? `peer (\`${PEER_NAME}\` 0.48.5)` : 'ours (gateway + inbound worker)'))], [...SCENARIOS.flatMap((s) => scenarioRows(rounds, s)), ...rssRows(rounds)]);
  const aimList = aims(rounds);
  const aimTable = mdTable(
    ['aim (issue #17, mean of the rounds)', 'peer', 'ours', ''],
    aimList.map((a) => [`${SCENARIO_TEXT[a.scenario]}: ${a.measure} ${a.measure === 'ack p99' ? '≤' : '≥'} the peer's`, a.format(a.peer), a.format(a.ours), a.met ? '**met**' : '**missed**']),
  );
  const limits = SCENARIOS.map((sc) => [sc, aimList.filter((a) => a.scenario === sc && !a.met)] as const)
    .filter(([, missed]) => missed.length > 0)
    .map(([sc, missed]) => limitOf(rounds, sc, missed));
  const failures = rounds.flatMap((r) => Object.values(r.scenarios)).reduce((n, p) => n + p.result.send.non2xx + p.result.send.errors, 0);
  const overBuilt = rounds.flatMap((r) => Object.values(r.scenarios)).filter((p) => p.result.built !== CUSTOMERS).length;
  const wrong = rounds.flatMap((r) => r.wrong.map((w) => `${r.side} round ${r.round}: ${w}`));
  const unapplied = rounds.flatMap((r) => Object.values(r.scenarios)).filter((p) => p.result.doneAt === undefined);
  const calls = rounds.map((r) => `${r.side} ${r.round}: ${Object.entries(r.stripeCalls).map(([route, n]) => `${route} ${n}`).join(', ') || 'none'}`).join('; ');
  const phases = [...(idle ? [idle] : []), ...rounds.flatMap((r) => SCENARIOS.map((s) => r.scenarios[s]))];

  const section = `## Webhooks beside the peer (\`${PEER_NAME}\`): the same signed events, alternating rounds

- command: \`${QUICK ? 'BENCH_QUICK=1 ' : ''}bash bench/run.sh webhook-peer\` (\`bench/webhook-peer.bench.ts\`); run ${started.toISOString()}${QUICK ? ' — **quick development run, figures not comparable**' : ''}
- machine: ${machineLine(machine)}; load average (1/5/15 min) before ${loadBefore}, after ${loadAverage()}
- the peer: \`@supabase/stripe-sync-engine\` 0.48.5 (npm, a dev dependency), its \`StripeSync.processWebhook\` behind \`POST /webhooks\` in a
  process of its own (\`bench/peer/stripe-sync-server.ts\`: what the peer's server does, on node:http instead of Fastify), with its
  server's defaults (10 connections, objects taken from the event, not re-fetched) and no logger; its own database \`${PEER_DB}\`
  with its migrations, its Stripe client on the Stripe emulator. It verifies, writes the customer and answers: no queue.
- ours: the built \`apps/webhook-gateway\` and \`apps/inbound-worker\` (\`NODE_ENV=production\`, \`LOG_LEVEL=warn\`, defaults; the worker's
  catch-up and reconcile off), database \`${OURS_DB}\`, topics \`${TOPIC_ROOT}<run>.*\`; the gateway answers once Kafka (acks=all) has the event.
- load: per round ${int(CUSTOMERS)} customers seeded in the emulator (new to both sides); (a) one \`customer.updated\` each (a new name and
  email), then (b) one more each. The same bodies go to both sides, signed with the same webhook secret by the Stripe SDK just before
  they are sent; autocannon, ${SENDERS} connections, every request answered. Rounds alternate, ${SIDES.join(', ')} then again; a warm-up round
  of ${int(WARMUP_CUSTOMERS)} customers per side before (both scenarios; its figures under the table, not in the aims).
- processes: the peer's server, our gateway and worker and the Stripe emulator each run in a session of their own, as a service manager
  starts services (Postgres and Kafka are in theirs): Linux's autogroup shares the CPU between sessions first. The load generator is this
  benchmark's own process, in the session it was started from.
- applied: the peer's \`${PEER_SCHEMA}.customers\` rows stamped with the scenario's event time (\`last_synced_at\`), our \`processed_events\` rows
  (each written with its change); polled every ${POLL_MS} ms from the first request on (both sides alike); acks timed by the load generator itself (first request built → last response). CPU seconds are from /proc over the scenario (first sent → all applied);
  Kafka's GC pauses are the broker's stop-the-world collections over the same window, from its JVM counters (what \`jstat\` reads);
  the answering process's wait is the time its main thread was runnable but not running over the scenario (\`/proc/<pid>/task/<tid>/schedstat\`),
  Kafka's the same summed over the broker's threads.

${table}

Each cell is round 1 / round 2. ${warmupLine(warmups)}

${aimTable}

${limits.join('\n\n') || (aimList.length ? 'Every aim met in this run.' : '')}

Check afterwards: ${unapplied.length ? `**not all applied by the run's deadline** (${unapplied.map((p) => `${p.name}: ${int(p.result.left)} left`).join('; ')}); ` : ''}${wrong.length === 0 ? `**each side holds every customer's last state** (${int(rounds.length * CUSTOMERS)} customers)` : `**${wrong.length} customers do not hold their last state** (${wrong.slice(0, 3).join('; ')})`}; failed requests: ${failures}; Stripe API calls per round: ${calls}.

CPU by process during each scenario (% of one core over its window; “other” is every other process and the kernel;
waited ${settledS.toFixed(0)} s after the warm-up for other processes to drop below 25 % of a core, 10 s at most):

${cpuTable(phases, groups)}`;

  if (!QUICK) writeSection('webhook-peer', section);
  process.stdout.write(`${section}\n`);
  const figures: Figure[] = aimList.map((a) => ({
    measure: `webhook vs peer, ${SCENARIO_TEXT[a.scenario]}: ${a.measure} (ours; mean of ${ROUNDS} rounds)`,
    value: a.format(a.ours),
    aim: `${a.measure === 'ack p99' ? '≤' : '≥'} the peer's ${a.format(a.peer)}`,
    met: a.met,
  }));
  const rss = Object.fromEntries(procs.filter((p) => p.name !== 'stripe-emulator').map((p) => [p.name, { peakRssKb: Math.max(...rounds.map((r) => r.peakKb[p.name] ?? 0)), hwmKb: undefined }]));
  if (!QUICK) saveResults({ name: 'webhook-peer', figures, rss });

  // Unapplied first: past the deadline the customers left behind cannot hold their last state.
  if (unapplied.length > 0) throw new Error(`not applied by the run's deadline: ${unapplied.map((p) => `${p.name}: ${p.result.left} events`).join('; ')}`);
  if (wrong.length > 0) throw new Error(`${wrong.length} customers do not hold their last state: ${wrong.slice(0, 5).join('; ')}`);
  if (failures > 0) throw new Error(`${failures} webhook requests failed`);
  if (overBuilt > 0) throw new Error(`autocannon built a different number of requests than asked in ${overBuilt} scenarios`);
}

main().catch((err: unknown) => {
  process.stderr.write(`webhook-peer benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
