/**
 * The Salesforce sync end to end: the four built apps, the Stripe and Salesforce emulators as
 * processes, the local Postgres and Kafka. After linking LINKED customers (created through the API,
 * waited for in both systems), four phases:
 *   1. a Salesforce UI edit → in our catalog, through CDC (Pub/Sub API → inbound worker);
 *   2. a catalog change (API PATCH) → in Salesforce (relay → Kafka → outbound worker);
 *   3. a Stripe dashboard edit → in Salesforce (webhook → gateway → inbound → catalog → outbound);
 *   4. a backlog of BACKLOG new customers pushed in sObject Collections: drain time and API calls per record.
 * Run: bash bench/run.sh salesforce
 * BENCH_QUICK=1 shortens every phase: it prints the section but writes neither docs/benchmarks.md
 * nor the results file. BENCH_WORKER_ENV="SALESFORCE_WRITE_RATE=100 …" passes settings to every app.
 */
import { Client } from 'pg';
import { startApp, startEmulator, startSalesforceEmulator, type AppName, type BenchProcess, type Memory } from './lib/app-process';
import { cpuSnapshot, cpuUsage, standardGroups, type CpuGroups, type CpuUsage } from './lib/cpu';
import { cpuTable, measured, ranked, settle, type Phase } from './lib/cpu-report';
import { closedLoopCreates, customerBodies, pacedCreates } from './lib/creates';
import { dropKafkaLeftovers, ourKafkaOnly, readTopic } from './lib/kafka';
import { describeMachine, loadAverage, machineLine } from './lib/machine';
import { awaitMapped, countMapped } from './lib/mappings';
import { pacedLoad, type PacedRequest, type PacedResult } from './lib/paced-load';
import { mdTable, writeSection } from './lib/report';
import { saveResults, type Figure } from './lib/results';
import { API_KEY, AUTH, benchWorkerEnv, freshDatabase, infraEnv, waitOutboxDrained } from './lib/stack';
import { int, mb, ms, summarize, type Summary } from './lib/stats';

const QUICK = process.env.BENCH_QUICK === '1';
const DATABASE = 'customer_sync_bench_salesforce';
const TOPICS_OF_ALL_RUNS = 'bench-salesforce.';
const PORTS = { api: 18400, gateway: 18401, outbound: 18402, inbound: 18403, stripe: 18404, salesforce: 18405, grpc: 18406 };
const LINKED = 200;
const LINK_RATE = 50;
const CDC_RATE = 20;
const API_RATE = 20;
const STRIPE_RATE = 10;
const PHASE_S = QUICK ? 5 : 15;
const BACKLOG = QUICK ? 1_500 : 10_000;
const BACKLOG_CONNECTIONS = 32;
// How often phase 1 looks for the values it waits for (a point query on ≤ a few dozen ids: ~1 ms).
const POLL_MS = 10;
const AIM = { cdcP99: 1_000, outP99: 500, callsPerRecord: 0.01 };
// The best-known Salesforce⇄Postgres sync polls every 2–10 minutes.
const ANCHOR = '2–10 min (polling)';
// The outbound worker's heap bound, as its Dockerfile and start scripts set it (the other apps set none).
const OUTBOUND_NODE_OPTIONS = '--max-old-space-size=96 --max-semi-space-size=16';
const STRIPE_KEY = 'sk_test_bench_only';
const WEBHOOK_SECRET = 'whsec_bench_only';
const SF_CLIENT = { id: 'bench-sf-client', secret: 'bench-sf-secret-only' };
const EXTRA_ENV = benchWorkerEnv();

const runId = Date.now().toString(36);
// Topics and consumer groups of this run only: a new group reads from the beginning.
const TOPIC_PREFIX = `${TOPICS_OF_ALL_RUNS}${runId}.`;
// One client id for every app and the whole run: the restarted outbound worker resumes its groups.
const CLIENT_ID = `bench-salesforce-${runId}`;
const GROUPS = ['stripe', 'salesforce'].map((s) => `${CLIENT_ID}-outbound-${s}`);
const createBody = customerBodies('Salesforce Bench');

interface Linked {
  id: number;
  sfId: string;
  stripeId: string;
}

interface Ctx {
  db: Client;
  databaseUrl: string;
  brokers: string;
  api: BenchProcess;
  stripe: BenchProcess;
  salesforce: BenchProcess;
  groups: CpuGroups;
  env: Record<string, string>;
}

const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

async function admin<T>(origin: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${origin}/_emulator${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

interface SfStats {
  requests: { total: number; by_route: Record<string, number> };
  writes: number;
  ui_writes: number;
}

interface SfAccount {
  Id: string;
  Name: string;
  Phone: string | null;
  Customer_Sync_Id__c: string | null;
  IsDeleted: boolean;
}

function startWorker(ctx: Ctx, app: 'outbound-worker' | 'inbound-worker'): Promise<BenchProcess> {
  const outbound = app === 'outbound-worker';
  return startApp(app, {
    databaseUrl: ctx.databaseUrl,
    kafkaBrokers: ctx.brokers,
    topicPrefix: TOPIC_PREFIX,
    port: outbound ? PORTS.outbound : PORTS.inbound,
    env: outbound ? { NODE_OPTIONS: OUTBOUND_NODE_OPTIONS, ...ctx.env } : ctx.env,
  });
}

/**
 * Waits until the stack has nothing left to do: the outbox published and no new audit row for
 * 1.5 s (echoes answered), so that one phase's tail does not load the next.
 */
async function quiet(db: Client, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await waitOutboxDrained(db, timeoutMs);
  let last = -1;
  let since = Date.now();
  while (Date.now() < deadline) {
    const { rows } = await db.query<{ n: string }>('select coalesce(max(id), 0) as n from sync_events');
    const n = Number(rows[0]?.n ?? 0);
    if (n !== last) {
      last = n;
      since = Date.now();
    } else if (Date.now() - since >= 1_500) return;
    await sleep(250);
  }
}

// ---------------------------------------------------------------------------------------------
// Edits at a steady rate, each a new phone on the next linked customer in turn.

interface Edit {
  id: number;
  value: string;
  /** Date.now() when the answer (2xx) reached us: Postgres stamps rows with the same wall clock. */
  answered: number;
  /** Date.now() when the poll first saw the value (phase 1 only). */
  seen?: number;
}

const phoneFor = (phase: number, i: number) => `+1 555 ${phase}${String(i).padStart(6, '0')}`;

async function pacedEdits(origin: string, headers: Record<string, string>, rate: number, linked: Linked[], phase: number, request: (l: Linked, value: string) => PacedRequest, onAnswer?: (e: Edit) => void) {
  const edits: Edit[] = [];
  const planned: Array<{ id: number; value: string }> = [];
  const load = await pacedLoad({
    origin,
    headers,
    rate,
    durationS: PHASE_S,
    request: (i) => {
      const l = linked[i % linked.length]!;
      const value = phoneFor(phase, i);
      planned[i] = { id: l.id, value };
      return request(l, value);
    },
    onResponse: (i, status) => {
      if (status < 200 || status >= 300) return;
      const e = { ...planned[i]!, answered: Date.now() };
      edits.push(e);
      onAnswer?.(e);
    },
  });
  return { load, edits };
}

/**
 * The first audit row after each edit, for that customer: `direction`/`system`, status success,
 * created_at (now() of the statement, which runs after the change was applied or the write answered)
 * from 1 s before the edit's answer on (a customer's next edit comes LINKED / rate seconds later).
 */
async function auditAfter(db: Client, edits: Edit[], direction: 'inbound' | 'outbound', system: string): Promise<Array<number | undefined>> {
  if (edits.length === 0) return [];
  const ids = [...new Set(edits.map((e) => e.id))];
  const from = Math.min(...edits.map((e) => e.answered)) - 1_000;
  const { rows } = await db.query<{ id: number; at: string }>(
    `select entity_id as id, extract(epoch from created_at) * 1000 as at from sync_events
      where direction = $1 and external_system = $2 and status = 'success' and entity_type = 'customer'
        and entity_id = any($3::int[]) and created_at >= to_timestamp($4 / 1000.0) order by created_at`,
    [direction, system, ids, from],
  );
  const byId = new Map<number, number[]>();
  for (const r of rows) byId.set(Number(r.id), [...(byId.get(Number(r.id)) ?? []), Number(r.at)]);
  return edits.map((e) => byId.get(e.id)?.find((t) => t >= e.answered - 1_000));
}

const diffs = (edits: Edit[], at: Array<number | undefined>, from: (e: Edit) => number | undefined = (e) => e.answered) =>
  edits.flatMap((e, i) => {
    const a = at[i];
    const f = from(e);
    return a === undefined || f === undefined ? [] : [a - f];
  });

interface EditFigures {
  load: PacedResult;
  edits: number;
  /** Primary figure of the phase. */
  latency: Summary;
  /** A second method (a lower bound, or a leg). */
  other: Summary;
  /** Phase 1: the edit's answer → its change event on sync.inbound (Kafka timestamp: the stream follower's send). */
  toKafka?: Summary;
  /** Never arrived (within the wait). */
  lost: number;
  /** Values the target held at the end that differ from the last edit we made. */
  wrongAtEnd: number;
}

/** Phase 1: UI edits in the Salesforce emulator, polled for in `customers`. */
async function cdcPhase(ctx: Ctx, linked: Linked[]): Promise<Phase<EditFigures>> {
  const pending = new Map<number, Edit>();
  let superseded = 0;
  let polling = true;
  const poller = (async () => {
    while (polling || pending.size > 0) {
      if (pending.size > 0) {
        const { rows } = await ctx.db.query<{ id: number; phone: string | null }>('select id, phone from customers where id = any($1::int[])', [[...pending.keys()]]);
        const now = Date.now();
        for (const r of rows) {
          const e = pending.get(Number(r.id));
          if (e && r.phone === e.value) {
            e.seen = now;
            pending.delete(e.id);
          }
        }
      }
      await sleep(POLL_MS);
    }
  })();
  let stopAt = 0;
  const phase = await measured(`1. Salesforce UI edits, ${CDC_RATE}/s for ${PHASE_S} s`, ctx.groups, async () => {
    const r = await pacedEdits(ctx.salesforce.origin, {}, CDC_RATE, linked, 1, (l, value) => ({ method: 'PATCH', path: `/_emulator/ui/accounts/${l.sfId}`, body: JSON.stringify({ Phone: value }) }), (e) => {
      if (pending.has(e.id)) superseded += 1;
      pending.set(e.id, e);
    });
    stopAt = Date.now() + 30_000;
    polling = false;
    while (pending.size > 0 && Date.now() < stopAt) await sleep(50);
    return r;
  });
  const lost = pending.size;
  pending.clear();
  await poller;
  const { load, edits } = phase.result;
  const applied = await auditAfter(ctx.db, edits, 'inbound', 'salesforce');
  const seen = edits.flatMap((e) => (e.seen === undefined ? [] : [e.seen - e.answered]));
  const wrongAtEnd = await wrongHere(ctx.db, edits);
  // Each value is unique to its edit: found in a Salesforce change's JSON, it names the event that carried it
  // (Stripe's webhook of our push there carries it too, later: the earliest Salesforce one counts).
  const onKafka = new Map<string, number>();
  const wanted = new Set(edits.map((e) => e.value));
  await readTopic(ctx.brokers, `${TOPIC_PREFIX}sync.inbound`, CLIENT_ID, (value, ts) => {
    if (!value.includes('"system":"salesforce"')) return;
    for (const m of value.matchAll(/\+1 555 1\d{6}/g)) if (wanted.has(m[0])) onKafka.set(m[0], Math.min(ts, onKafka.get(m[0]) ?? ts));
  });
  const toKafka = edits.flatMap((e) => (onKafka.has(e.value) ? [onKafka.get(e.value)! - e.answered] : []));
  return {
    ...phase,
    result: { load, edits: edits.length, latency: summarize(seen), other: summarize(diffs(edits, applied)), toKafka: summarize(toKafka), lost: lost + superseded, wrongAtEnd },
  };
}

/** Customers whose phone is not the last value we gave them. */
async function wrongHere(db: Client, edits: Edit[]): Promise<number> {
  const last = new Map(edits.map((e) => [e.id, e.value]));
  const { rows } = await db.query<{ id: number; phone: string | null }>('select id, phone from customers where id = any($1::int[])', [[...last.keys()]]);
  return rows.filter((r) => r.phone !== last.get(Number(r.id))).length;
}

/** Accounts whose Phone is not the last value we gave their customer. */
async function wrongInSalesforce(ctx: Ctx, edits: Edit[]): Promise<number> {
  const last = new Map(edits.map((e) => [String(e.id), e.value]));
  const accounts = await admin<SfAccount[]>(ctx.salesforce.origin, 'GET', '/accounts?include_deleted=false');
  const byId = new Map(accounts.map((a) => [a.Customer_Sync_Id__c, a.Phone]));
  return [...last].filter(([id, value]) => byId.get(id) !== value).length;
}

/** Waits until every edit has its outbound Salesforce success row (or 30 s pass). */
async function awaitOutbound(ctx: Ctx, edits: Edit[]): Promise<Array<number | undefined>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const at = await auditAfter(ctx.db, edits, 'outbound', 'salesforce');
    if (at.every((a) => a !== undefined) || Date.now() > deadline) return at;
    await sleep(250);
  }
}

/** The figures of a phase measured to the outbound Salesforce row; `other` is its second figure. */
async function toSalesforce(ctx: Ctx, load: PacedResult, edits: Edit[], inSf: Array<number | undefined>, other: number[]): Promise<EditFigures> {
  return {
    load,
    edits: edits.length,
    latency: summarize(diffs(edits, inSf)),
    other: summarize(other),
    lost: inSf.filter((a) => a === undefined).length,
    wrongAtEnd: await wrongInSalesforce(ctx, edits),
  };
}

/** Phase 2: PATCH /api/v1/customers/:id, measured to the outbound Salesforce success row. */
async function apiPhase(ctx: Ctx, linked: Linked[]): Promise<Phase<EditFigures>> {
  const phase = await measured(`2. API PATCH, ${API_RATE}/s for ${PHASE_S} s`, ctx.groups, async () => {
    const r = await pacedEdits(ctx.api.origin, AUTH, API_RATE, linked, 2, (l, value) => ({ method: 'PATCH', path: `/api/v1/customers/${l.id}`, body: JSON.stringify({ phone: value }) }));
    return { ...r, inSf: await awaitOutbound(ctx, r.edits) };
  });
  const { load, edits, inSf } = phase.result;
  const relayed = await ctx.db.query<{ ms: string }>(
    `select extract(epoch from (o.published_at - o.created_at)) * 1000 as ms from outbox o
      where o.aggregate_id = any($1::int[]) and o.created_at >= to_timestamp($2 / 1000.0) and o.published_at is not null`,
    [edits.map((e) => e.id), Math.min(...edits.map((e) => e.answered)) - 1_000],
  );
  return { ...phase, result: await toSalesforce(ctx, load, edits, inSf, relayed.rows.map((r) => Number(r.ms))) };
}

/** Phase 3: Stripe dashboard edits (each sends a signed customer.updated webhook to our gateway). */
async function stripePhase(ctx: Ctx, linked: Linked[]): Promise<Phase<EditFigures>> {
  const phase = await measured(`3. Stripe dashboard edits, ${STRIPE_RATE}/s for ${PHASE_S} s`, ctx.groups, async () => {
    const r = await pacedEdits(ctx.stripe.origin, {}, STRIPE_RATE, linked, 3, (l, value) => ({ method: 'POST', path: `/_emulator/dashboard/customers/${l.stripeId}`, body: JSON.stringify({ phone: value }) }));
    return { ...r, inSf: await awaitOutbound(ctx, r.edits) };
  });
  const { load, edits, inSf } = phase.result;
  const here = await auditAfter(ctx.db, edits, 'inbound', 'stripe');
  return { ...phase, result: await toSalesforce(ctx, load, edits, inSf, diffs(edits, here)) };
}

// ---------------------------------------------------------------------------------------------
// Phase 4: a backlog made while the outbound worker is stopped, then drained.

interface DrainFigures {
  n: number;
  createRate: number;
  lost: number;
  /** Worker spawned → every Account there (last mapping's last_synced_at). */
  drainS: number;
  /** First → last mapping last_synced_at. */
  spanS: number;
  firstAfterS: number;
  stats: SfStats;
  /** Stripe mappings of the backlog done when Salesforce's were (its own consumer group). */
  stripeDone: number;
  /** Mean size of the backlog's customer.events envelopes (outbox JSON): what a partition fetch holds. */
  messageBytes: number;
  rss: Memory;
}

async function backlogPhase(ctx: Ctx, stopWorker: () => Promise<Memory>, setWorker: (w: BenchProcess) => void): Promise<Phase<DrainFigures>> {
  const firstRss = await stopWorker();
  const backlog = await closedLoopCreates(ctx.api.origin, BACKLOG, BACKLOG_CONNECTIONS, createBody);
  const relay = await waitOutboxDrained(ctx.db, 60_000);
  if (relay.left > 0) throw new Error(`the relay left ${relay.left} outbox rows unpublished after ${relay.waitedMs} ms`);
  await quiet(ctx.db);
  await admin(ctx.salesforce.origin, 'POST', '/stats/reset');

  const startedAt = Date.now();
  const worker = await startWorker(ctx, 'outbound-worker');
  setWorker(worker);
  let before = cpuSnapshot(ctx.groups);
  let firstSeen = 0;
  const lost = await awaitMapped(ctx.db, 'salesforce', backlog.ids, 180_000, () => {
    before = cpuSnapshot(ctx.groups);
    firstSeen = Date.now();
  });
  const after = cpuSnapshot(ctx.groups);
  const stats = await admin<SfStats>(ctx.salesforce.origin, 'GET', '/stats');
  const stripeDone = await countMapped(ctx.db, 'stripe', backlog.ids);
  const { rows } = await ctx.db.query<{ first: string; last: string }>(
    `select extract(epoch from min(last_synced_at)) * 1000 as first, extract(epoch from max(last_synced_at)) * 1000 as last
       from external_mappings where external_system = 'salesforce' and internal_id = any($1::int[])`,
    [backlog.ids],
  );
  const size = await ctx.db.query<{ b: string }>('select avg(octet_length(envelope::text)) as b from outbox where aggregate_id = any($1::int[])', [backlog.ids]);
  const first = Number(rows[0]?.first);
  const last = Number(rows[0]?.last);
  const cpu: CpuUsage = cpuUsage(before, after, ctx.groups);
  return {
    name: `4. backlog of ${int(BACKLOG)} new customers (first → last Account)`,
    cpu,
    result: {
      n: BACKLOG,
      createRate: backlog.rate,
      lost,
      drainS: (last - startedAt) / 1000,
      spanS: (last - first) / 1000,
      firstAfterS: ((firstSeen || Date.now()) - startedAt) / 1000,
      stats,
      stripeDone,
      messageBytes: Number(size.rows[0]?.b ?? 0),
      rss: firstRss,
    },
  };
}

// ---------------------------------------------------------------------------------------------

async function link(ctx: Ctx): Promise<Linked[]> {
  const { ids } = await pacedCreates({ origin: ctx.api.origin, rate: LINK_RATE, durationS: LINKED / LINK_RATE, body: createBody });
  for (const system of ['salesforce', 'stripe']) {
    const left = await awaitMapped(ctx.db, system, ids, 60_000);
    if (left > 0) throw new Error(`${left} of ${ids.length} customers never reached ${system}`);
  }
  const { rows } = await ctx.db.query<{ id: number; sf: string; stripe: string }>(
    `select c.id, sf.external_id as sf, st.external_id as stripe from customers c
       join external_mappings sf on sf.internal_id = c.id and sf.external_system = 'salesforce'
       join external_mappings st on st.internal_id = c.id and st.external_system = 'stripe'
      where c.id = any($1::int[]) order by c.id`,
    [ids],
  );
  return rows.map((r) => ({ id: Number(r.id), sfId: r.sf, stripeId: r.stripe }));
}

interface Integrity {
  customers: number;
  withoutOneAccount: number;
  liveAccounts: number;
  duplicateIds: number;
  deadLetters: number;
  problems: string[];
}

async function checkIntegrity(ctx: Ctx): Promise<Integrity> {
  const { rows } = await ctx.db.query<{ n: string; bad: string }>(
    `select count(*) as n, count(*) filter (where (select count(*) from external_mappings m where m.internal_id = c.id and m.external_system = 'salesforce') <> 1) as bad from customers c`,
  );
  const customers = Number(rows[0]?.n ?? 0);
  const withoutOneAccount = Number(rows[0]?.bad ?? 0);
  const accounts = (await admin<SfAccount[]>(ctx.salesforce.origin, 'GET', '/accounts?include_deleted=false')).filter((a) => !a.IsDeleted);
  const seen = new Map<string, number>();
  for (const a of accounts) seen.set(a.Customer_Sync_Id__c ?? '', (seen.get(a.Customer_Sync_Id__c ?? '') ?? 0) + 1);
  const duplicateIds = [...seen.values()].filter((n) => n > 1).length;
  const dl = await ctx.db.query<{ n: string }>('select count(*) as n from dead_letters');
  const deadLetters = Number(dl.rows[0]?.n ?? 0);
  const problems: string[] = [];
  if (withoutOneAccount) problems.push(`${withoutOneAccount} customers without exactly one Salesforce mapping`);
  if (accounts.length !== customers) problems.push(`the emulator holds ${accounts.length} live Accounts for ${customers} customers`);
  if (duplicateIds) problems.push(`${duplicateIds} of our ids on more than one Account`);
  if (deadLetters) problems.push(`${deadLetters} dead letters`);
  return { customers, withoutOneAccount, liveAccounts: accounts.length, duplicateIds, deadLetters, problems };
}

const verdict = (met: boolean) => (met ? '**met**' : '**missed**');
const pct = (v: number) => `${v.toFixed(0)} %`;

const limit = (what: string, p: Phase<unknown>) =>
  `Limit — ${what}: the machine was ${pct(p.cpu.busy)} busy of ${pct(p.cpu.capacity)} during the phase (${ranked(p.cpu, 6)}).`;

const isApiCall = (route: string) => /sobjects|composite|query|limits/.test(route);

async function main() {
  const machine = describeMachine();
  const loadBefore = loadAverage();
  const started = new Date();
  await dropKafkaLeftovers(infraEnv().brokers, TOPICS_OF_ALL_RUNS, CLIENT_ID);
  const { databaseUrl, brokers } = await freshDatabase(DATABASE, TOPIC_PREFIX);
  const memory: Record<string, Memory> = {};
  const processes: BenchProcess[] = [];
  const pids: Partial<Record<AppName, number>> = {};
  let outbound: BenchProcess | undefined;
  let ctx: Ctx | undefined;
  let idle: Phase<unknown> | undefined;
  let settledS = 0;
  let linkS = 0;
  let cdc: Phase<EditFigures> | undefined;
  let api: Phase<EditFigures> | undefined;
  let stripe: Phase<EditFigures> | undefined;
  let drain: Phase<DrainFigures> | undefined;
  let integrity: Integrity | undefined;
  const db = new Client({ connectionString: databaseUrl, application_name: 'bench' });
  await db.connect();
  try {
    const stripeEmu = await startEmulator(PORTS.stripe);
    processes.push(stripeEmu);
    const sfEmu = await startSalesforceEmulator(PORTS.salesforce, PORTS.grpc, SF_CLIENT);
    processes.push(sfEmu);
    await admin(stripeEmu.origin, 'POST', '/webhook-endpoints', { url: `http://127.0.0.1:${PORTS.gateway}/api/v1/webhooks/stripe`, secret: WEBHOOK_SECRET });
    const env: Record<string, string> = {
      KAFKA_CLIENT_ID: CLIENT_ID,
      SYNC_SYSTEMS: 'stripe,salesforce',
      STRIPE_SECRET_KEY: STRIPE_KEY,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_BASE: stripeEmu.origin,
      SALESFORCE_LOGIN_URL: sfEmu.origin,
      SALESFORCE_CLIENT_ID: SF_CLIENT.id,
      SALESFORCE_CLIENT_SECRET: SF_CLIENT.secret,
      SALESFORCE_PUBSUB_URL: `127.0.0.1:${PORTS.grpc}`,
      ...EXTRA_ENV,
    };
    const common = { databaseUrl, kafkaBrokers: brokers, topicPrefix: TOPIC_PREFIX };
    const apiProc = await startApp('api', { ...common, port: PORTS.api, env: { ...env, API_KEYS: API_KEY } });
    processes.push(apiProc);
    const gateway = await startApp('webhook-gateway', { ...common, port: PORTS.gateway, env });
    processes.push(gateway);
    ctx = {
      db,
      databaseUrl,
      brokers,
      api: apiProc,
      stripe: stripeEmu,
      salesforce: sfEmu,
      env,
      groups: [
        ...ourKafkaOnly(standardGroups(apiProc.pid, DATABASE), brokers),
        ['webhook-gateway', (p) => p.pid === gateway.pid],
        ['inbound-worker', (p) => p.pid === pids['inbound-worker']],
        ['outbound-worker', (p) => p.pid === pids['outbound-worker']],
        ['stripe-emulator', (p) => p.pid === stripeEmu.pid],
        ['salesforce-emulator', (p) => p.pid === sfEmu.pid],
      ],
    };
    const inbound = await startWorker(ctx, 'inbound-worker');
    processes.push(inbound);
    pids['inbound-worker'] = inbound.pid;
    outbound = await startWorker(ctx, 'outbound-worker');
    pids['outbound-worker'] = outbound.pid;

    const linkFrom = Date.now();
    const linked = await link(ctx);
    linkS = (Date.now() - linkFrom) / 1000;
    await quiet(db);
    ({ idle, waitedS: settledS } = await settle(ctx.groups));

    cdc = await cdcPhase(ctx, linked);
    await quiet(db);
    api = await apiPhase(ctx, linked);
    await quiet(db);
    stripe = await stripePhase(ctx, linked);
    await quiet(db);
    const first = outbound;
    drain = await backlogPhase(
      ctx,
      () => first.stop(),
      (w) => {
        outbound = w;
        pids['outbound-worker'] = w.pid;
      },
    );
    integrity = await checkIntegrity(ctx);
  } finally {
    if (outbound) memory['outbound-worker (backlog)'] = await outbound.stop();
    for (const p of processes.reverse()) memory[p.name] = await p.stop();
    await db.end().catch(() => undefined);
    await dropKafkaLeftovers(brokers, TOPICS_OF_ALL_RUNS, CLIENT_ID, GROUPS).catch(() => undefined);
  }
  if (!ctx || !idle || !cdc || !api || !stripe || !drain || !integrity) throw new Error('a phase did not run');
  memory['outbound-worker (phases 1–3)'] = drain.result.rss;

  const C = cdc.result;
  const A = api.result;
  const S = stripe.result;
  const D = drain.result;
  const routes = D.stats.requests.by_route;
  const apiCalls = Object.entries(routes).filter(([r]) => isApiCall(r)).reduce((n, [, v]) => n + v, 0);
  const collectionCalls = Object.entries(routes).filter(([r]) => r.includes('composite')).reduce((n, [, v]) => n + v, 0);
  const perRecord = apiCalls / D.n;
  const totalPerRecord = D.stats.requests.total / D.n;
  const met = {
    cdc: C.latency.p99 <= AIM.cdcP99 && C.lost === 0,
    api: A.latency.p99 <= AIM.outP99 && A.lost === 0,
    calls: perRecord <= AIM.callsPerRecord && D.lost === 0,
  };
  const loadLine = (l: PacedResult, rate: number) =>
    `${int(l.ok)} answered 2xx at ${l.achievedRate.toFixed(1)}/s (asked ${rate}/s)${l.non2xx + l.errors ? `, ${l.non2xx + l.errors} failed (${l.failures.join('; ')})` : ''}${l.gaveUpAtS === undefined ? '' : `, stopped at ${l.gaveUpAtS.toFixed(1)} s (behind)`}`;
  const row = (name: string, f: EditFigures, rate: number, aim: string, extra: string) => [name, ms(f.latency.p50), ms(f.latency.p99), ms(f.latency.max), `${loadLine(f.load, rate)}; ${f.lost} never arrived; ${f.wrongAtEnd} wrong at the end; ${extra}`, aim];

  const results = mdTable(
    ['measurement', 'p50', 'p99', 'max', 'counts and detail', 'aim'],
    [
      row(`1. Salesforce UI edit → in our catalog (CDC), ${CDC_RATE}/s`, C, CDC_RATE, `p99 ≤ ${int(AIM.cdcP99)} ms: ${verdict(met.cdc)} (anchor: ${ANCHOR})`, `legs: on Kafka (the stream follower's send) p50 ${ms(C.toKafka?.p50 ?? Number.NaN)}, p99 ${ms(C.toKafka?.p99 ?? Number.NaN)} (${C.toKafka?.count ?? 0} found); applied (inbound audit row) p50 ${ms(C.other.p50)}, p99 ${ms(C.other.p99)}`),
      row(`2. API PATCH → in Salesforce, ${API_RATE}/s`, A, API_RATE, `p99 ≤ ${AIM.outP99} ms: ${verdict(met.api)}`, `beside it, outbox row (its transaction start) → published by the relay: p50 ${ms(A.other.p50)}, p99 ${ms(A.other.p99)}`),
      row(`3. Stripe dashboard edit → in Salesforce, ${STRIPE_RATE}/s`, S, STRIPE_RATE, 'none stated', `in our catalog (inbound Stripe audit row) p50 ${ms(S.other.p50)}, p99 ${ms(S.other.p99)}`),
      [
        `4. backlog of ${int(D.n)} new customers → Salesforce`,
        '',
        '',
        '',
        `${D.drainS.toFixed(1)} s from the worker's start to the last Account (first after ${D.firstAfterS.toFixed(1)} s; first → last ${D.spanS.toFixed(1)} s, ` +
          `${int((D.n - 1) / D.spanS)} records/s); ${D.lost} never arrived; ${int(apiCalls)} API calls (${int(collectionCalls)} sObject Collections), ` +
          `${int(D.stats.requests.total)} requests incl. OAuth: **${perRecord.toFixed(4)} calls per record** (${totalPerRecord.toFixed(4)} incl. OAuth); ` +
          `Stripe had ${int(D.stripeDone)} of them meanwhile`,
        `≤ ${AIM.callsPerRecord} calls per record: ${verdict(met.calls)}`,
      ],
    ],
  );
  const routeTable = mdTable(
    ['route (Salesforce emulator, during the drain)', 'requests'],
    Object.entries(routes)
      .sort((a, b) => b[1] - a[1])
      .map(([r, n]) => [r, int(n)]),
  );

  const limits: string[] = [];
  if (!met.cdc) {
    limits.push(
      `${limit('Salesforce edit → catalog', cdc)} Where the tail sits: the change event was on Kafka (\`sync.inbound\`) after p50 ${ms(C.toKafka?.p50 ?? Number.NaN)}, ` +
        `p99 ${ms(C.toKafka?.p99 ?? Number.NaN)}, max ${ms(C.toKafka?.max ?? Number.NaN)} (the stream follower: the Pub/Sub fetch, decoding, then per batch one Kafka send and one cursor write, ` +
        `batch after batch), and applied (the inbound audit row) after p50 ${ms(C.other.p50)}, p99 ${ms(C.other.p99)}. ` +
        "Between the two, the inbound worker's consumer fetches with `minBytes` 256 KiB and kafkajs' `maxWaitTimeInMs` 100, so at this rate a fetch " +
        'answers only when its 100 ms are up, and it shares the topic with the Stripe webhooks that our pushes to Stripe send back.',
    );
  }
  if (!met.api) {
    const rate = EXTRA_ENV.SALESFORCE_WRITE_RATE;
    limits.push(
      `${limit('API change → Salesforce', api)}${rate === undefined ? ` The worker's \`SALESFORCE_WRITE_RATE\` is at its default, 20 writes/s, the phase's own rate: a change pushed alone takes one token, so at ${API_RATE}/s the changes queue for tokens whenever they bunch.` : ''}`,
    );
  }
  if (!met.calls) {
    const fetchBytes = Number(EXTRA_ENV.OUTBOUND_FETCH_BYTES ?? 131_072);
    limits.push(
      `Limit — calls per record: ${(D.n / Math.max(1, collectionCalls)).toFixed(0)} records per sObject Collections call on average, of the 200 one call may carry. ` +
        'The worker hands the bulk path one wave per partition fetch (at most one message per customer), and a wave goes out in calls of 200: ' +
        `a fetch is \`OUTBOUND_FETCH_BYTES\`=${int(fetchBytes)} bytes a partition, ~${int(fetchBytes / Math.max(1, D.messageBytes))} messages of ~${int(D.messageBytes)} bytes (JSON envelope, before Kafka's own framing), ` +
        'so a wave of more than 200 takes a second, part-full call, and a fetch that ends early (a partition nearly drained, or what had arrived so far) a small one. ' +
        `Besides the Collections calls: ${int(apiCalls - collectionCalls)} other API calls and ${int(D.stats.requests.total - apiCalls)} OAuth or other requests. ` +
        limit('CPU in the drain', drain).replace(/^Limit — CPU in the drain: /, 'CPU: '),
    );
  }
  const settings = Object.keys(EXTRA_ENV).length ? `BENCH_WORKER_ENV: ${Object.entries(EXTRA_ENV).map(([k, v]) => `\`${k}=${v}\``).join(', ')}` : 'every other setting at its default (`SALESFORCE_WRITE_RATE=20`, `STRIPE_WRITE_RATE` default, `OUTBOUND_CONCURRENCY=8`, `DB_POOL_MAX=10`)';
  const rss = Object.entries(memory)
    .map(([name, m]) => `${name} ${mb(m.peakRssKb)}`)
    .join(', ');

  const section = `## Salesforce: CDC in, Collections out, end to end

- command: \`bash bench/run.sh salesforce\` (\`bench/salesforce.bench.ts\`); run ${started.toISOString()}${QUICK ? ' (BENCH_QUICK=1: short phases, small backlog)' : ''}
- machine: ${machineLine(machine)}; load average (1/5/15 min) before ${loadBefore}, after ${loadAverage()}
- set-up: the four built apps (\`NODE_ENV=production\`, \`LOG_LEVEL=warn\`, \`SYNC_SYSTEMS=stripe,salesforce\`, the outbound worker with \`NODE_OPTIONS=${OUTBOUND_NODE_OPTIONS}\` as in its Dockerfile, ${settings}) on a fresh
  database \`${DATABASE}\`, topics \`${TOPICS_OF_ALL_RUNS}<run>.*\` and consumer groups of this run (deleted after it); the Stripe emulator
  (webhooks to our gateway) and the Salesforce emulator (REST, sObject Collections, CDC over the Pub/Sub API) as processes; one machine, loopback only.
  ${LINKED} customers created through the API at ${LINK_RATE}/s and waited for in both systems first (${linkS.toFixed(1)} s).
- methods (Postgres and this process read the same wall clock; every edit sets a new Phone on the next linked customer in turn,
  so a customer's next edit comes ${(LINKED / CDC_RATE).toFixed(0)} s or more later):
  1. from the answer of \`PATCH /_emulator/ui/accounts/:id\` (a person editing in Salesforce) to the first poll of \`customers\` that shows the value:
     a point query on the ids still awaited every ${POLL_MS} ms (~1 ms each), so the figure is what a reader of our catalog sees, at most
     ~${POLL_MS + 1} ms late. The inbound audit row's \`created_at\` (the apply's transaction start, before its commit) is the lower bound beside it, and
     the change event's Kafka timestamp on \`sync.inbound\` (read back after the phase; the follower's send) splits the path in two.
  2. from the API's 200 to the outbound \`sync_events\` row (salesforce, success) of that customer: the row is written after the emulator
     answered the write, so the value is in the Account by then (polling the emulator's whole Account list instead would load the process measured).
  3. from the answer of the Stripe dashboard edit (\`POST /_emulator/dashboard/customers/:id\`) to the same outbound Salesforce row; beside it
     the inbound Stripe audit row (applied in our catalog).
  4. the outbound worker stopped (SIGTERM), ${int(BACKLOG)} customers created through the API (${BACKLOG_CONNECTIONS} connections; ${int(D.createRate)}/s) and
     published by the relay, the emulator's \`/_emulator/stats\` reset, then a new worker (same consumer groups) started: time until every one has
     its Salesforce mapping synced (\`last_synced_at\`), and the emulator's request counts (all processes) divided by ${int(BACKLOG)}. New customers
     go out as upserts by our id (\`PATCH composite/sobjects/Account/{field}\`, 200 a call); Stripe drains the same backlog in its own group meanwhile.
  Afterwards each phase's customers must hold the last value sent, and every customer exactly one Account.

${results}

${routeTable}

No lost change, no duplicate: ${int(integrity.customers)} customers, ${integrity.withoutOneAccount} without exactly one Salesforce mapping; ${int(integrity.liveAccounts)} live Accounts,
${integrity.duplicateIds} of our ids on more than one; ${integrity.deadLetters} dead letters. Peak RSS: ${rss}.

CPU by process (% of one core; “other” is every other process and the kernel; “load generator” is this script; the backlog
measured from the first Account to the last; waited ${settledS.toFixed(0)} s first for other processes to drop below 25 % of a core):

${cpuTable([idle, cdc, api, stripe, drain], ctx.groups)}

${limits.length ? limits.join('\n\n') : 'Every aim met.'}`;

  process.stdout.write(`${section}\n`);
  if (!QUICK) {
    writeSection('salesforce', section);
    const figures: Figure[] = [
      { measure: `salesforce: UI edit → in our catalog (CDC), p99 at ${CDC_RATE}/s`, value: ms(C.latency.p99), aim: `≤ ${int(AIM.cdcP99)} ms`, met: met.cdc },
      { measure: `salesforce: API change → in Salesforce, p99 at ${API_RATE}/s`, value: ms(A.latency.p99), aim: `≤ ${AIM.outP99} ms`, met: met.api },
      { measure: `salesforce: Stripe edit → in Salesforce, p99 at ${STRIPE_RATE}/s`, value: ms(S.latency.p99), aim: '' },
      { measure: `salesforce: API calls per record, backlog of ${int(D.n)}`, value: `${perRecord.toFixed(4)} (${D.drainS.toFixed(1)} s)`, aim: `≤ ${AIM.callsPerRecord}`, met: met.calls },
    ];
    saveResults({ name: 'salesforce', figures, rss: memory });
  }
  const failed = [C, A, S].reduce((n, f) => n + f.load.non2xx + f.load.errors + f.lost + f.wrongAtEnd, 0);
  if (integrity.problems.length || failed > 0 || D.lost > 0) {
    throw new Error(`lost or wrong changes: ${[...integrity.problems, `${failed} edits failed, never arrived or were wrong at the end`, `${D.lost} backlog customers never in Salesforce`].join('; ')}`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`salesforce benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
