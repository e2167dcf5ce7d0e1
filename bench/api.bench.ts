/**
 * REST API throughput and latency against the real API, Postgres and Kafka (relay on):
 * creates at full speed and at 500/s, get-by-id at full speed and at 1,000/s, list, and the API's peak memory.
 * Run: bash bench/run.sh api
 */
import type { Request } from 'autocannon';
import { cannon, type CannonResult } from './lib/cannon';
import { standardGroups, type CpuGroups } from './lib/cpu';
import { cpuTable, limitLine, measured, settle, type Phase } from './lib/cpu-report';
import { describeMachine, loadAverage, machineLine } from './lib/machine';
import { pacedLoad, type PacedResult } from './lib/paced-load';
import { mdTable, writeSection } from './lib/report';
import { saveResults } from './lib/results';
import { AUTH, startStack, waitOutboxDrained, type Stack } from './lib/stack';
import { int, mb, ms } from './lib/stats';

const DATABASE = 'customer_sync_bench_api';
const PORT = 18000;
// Beyond DB_POOL_MAX (10) so the pool never idles; in trials 16–32 saturated the API, 64 only queued more.
const CONNECTIONS = 32;
const CREATE_S = 15;
const READ_S = 10;
const RATE = 500;
const READ_RATE = 1000;
// 100 in flight at 500/s is 0.2 s of backlog, far past the aim: the rate is then not sustained.
const MAX_IN_FLIGHT = 100;
const AIM = { maxCreates: 1500, p99At500: 25, maxReads: 3000, readP99At1000: 10 };
const COLLECTION = '/api/v1/customers';

const runId = Date.now().toString(36);
let emails = 0;
const createBody = () => JSON.stringify({ name: `Bench Customer ${emails}`, email: `bench-${runId}-${emails++}@example.com` });
const headers = { ...AUTH, 'content-type': 'application/json' };
const createRequest: Request = { method: 'POST', path: COLLECTION, setupRequest: (req: Request) => ({ ...req, body: createBody() }) };

interface Phases {
  idle: Phase<unknown>;
  /** Seconds spent waiting for other processes to quiet down first. */
  settledS: number;
  createMax: Phase<CannonResult>;
  createPaced: Phase<PacedResult>;
  createRated: Phase<CannonResult>;
  getById: Phase<CannonResult>;
  getPaced: Phase<PacedResult>;
  list: Phase<CannonResult>;
  /** How long the relay took to empty the outbox after each create phase. */
  drains: string[];
}

async function runPhases(stack: Stack, groups: CpuGroups): Promise<Phases> {
  const origin = stack.api.origin;
  const drains: string[] = [];
  const drain = async (after: string) => {
    const { waitedMs, left } = await waitOutboxDrained(stack.db);
    drains.push(left === 0 ? `${after} ${waitedMs} ms` : `${after}: ${left} rows still unpublished after ${waitedMs} ms`);
  };
  const { idle, waitedS: settledS } = await settle(groups);
  // Warm-up (not reported): JIT, the DB pool, the Kafka producer.
  await cannon({ origin, headers, connections: 16, durationS: 3, request: createRequest });
  await drain('warm-up');

  const createMax = await measured(`create, max (${CONNECTIONS} conn.)`, groups, () =>
    cannon({ origin, headers, connections: CONNECTIONS, durationS: CREATE_S, request: createRequest }),
  );
  await drain('create max');
  const createPaced = await measured(`create at ${RATE}/s (paced)`, groups, () =>
    pacedLoad({ origin, headers: AUTH, rate: RATE, durationS: CREATE_S, maxInFlight: MAX_IN_FLIGHT, request: () => ({ method: 'POST', path: COLLECTION, body: createBody() }) }),
  );
  await drain('create paced');
  const createRated = await measured(`create, autocannon overallRate ${RATE}`, groups, () =>
    cannon({ origin, headers, connections: CONNECTIONS, durationS: CREATE_S, overallRate: RATE, request: createRequest }),
  );
  await drain('create overallRate');

  const { rows } = await stack.db.query<{ id: number }>('select id from customers');
  const ids = rows.map((r) => Number(r.id));
  const randomId = () => ids[Math.floor(Math.random() * ids.length)] ?? 1;
  const getRequest: Request = { method: 'GET', setupRequest: (req: Request) => ({ ...req, path: `${COLLECTION}/${randomId()}` }) };
  const getById = await measured(`get by id (${CONNECTIONS} conn.)`, groups, () =>
    cannon({ origin, headers: AUTH, connections: CONNECTIONS, durationS: READ_S, request: getRequest }),
  );
  const getPaced = await measured(`get by id at ${int(READ_RATE)}/s (paced)`, groups, () =>
    pacedLoad({ origin, headers: AUTH, rate: READ_RATE, durationS: READ_S, maxInFlight: MAX_IN_FLIGHT, request: () => ({ method: 'GET', path: `${COLLECTION}/${randomId()}` }) }),
  );
  const list = await measured(`list ?limit=100 (${CONNECTIONS} conn.)`, groups, () =>
    cannon({ origin, headers: AUTH, connections: CONNECTIONS, durationS: READ_S, request: { method: 'GET', path: `${COLLECTION}?limit=100` } }),
  );
  return { idle, settledS, createMax, createPaced, createRated, getById, getPaced, list, drains };
}

const verdict = (met: boolean) => (met ? '**met**' : '**missed**');

/** A paced phase meets its p99 aim only if it kept the rate (else its latencies measure our own queue). */
const pacedMet = (r: PacedResult, p99: number) => r.gaveUpAtS === undefined && r.latency.p99 <= p99;
const pacedVerdict = (r: PacedResult, p99: number) =>
  r.gaveUpAtS === undefined ? verdict(r.latency.p99 <= p99) : `${verdict(false)} (not sustained: ${MAX_IN_FLIGHT} requests in flight after ${r.gaveUpAtS.toFixed(1)} s, stopped)`;

function resultsTable(p: Phases): string {
  const row = (phase: Phase<CannonResult | PacedResult>, throughput: number, aim: string) => {
    const r = phase.result;
    return [phase.name, `${int(throughput)} req/s`, ms(r.latency.p50), ms(r.latency.p99), ms(r.latency.max), `${r.non2xx} / ${r.errors}`, aim];
  };
  return mdTable(
    ['measurement', 'throughput', 'p50', 'p99', 'max', 'non-2xx / errors', 'aim'],
    [
      row(p.createMax, p.createMax.result.reqPerSec, `≥ ${int(AIM.maxCreates)} creates/s: ${verdict(p.createMax.result.reqPerSec >= AIM.maxCreates)}`),
      row(p.createPaced, p.createPaced.result.achievedRate, `p99 ≤ ${AIM.p99At500} ms at ${RATE}/s: ${pacedVerdict(p.createPaced.result, AIM.p99At500)}`),
      row(p.createRated, p.createRated.result.reqPerSec, ''),
      row(p.getById, p.getById.result.reqPerSec, `≥ ${int(AIM.maxReads)} req/s: ${verdict(p.getById.result.reqPerSec >= AIM.maxReads)}`),
      row(p.getPaced, p.getPaced.result.achievedRate, `p99 ≤ ${AIM.readP99At1000} ms at ${int(READ_RATE)}/s: ${pacedVerdict(p.getPaced.result, AIM.readP99At1000)}`),
      row(p.list, p.list.result.reqPerSec, ''),
    ],
  );
}

async function main() {
  const machine = describeMachine();
  const loadBefore = loadAverage();
  const started = new Date();
  const stack = await startStack(DATABASE, PORT);
  const groups = standardGroups(stack.api.pid, DATABASE);
  let phases: Phases;
  let memory: { peakRssKb: number; hwmKb: number | undefined };
  try {
    phases = await runPhases(stack, groups);
  } finally {
    memory = await stack.stop();
  }

  const { idle, createMax, createPaced, createRated, getById, getPaced, list } = phases;
  const all = [createMax, createPaced, createRated, getById, getPaced, list];
  const failures = all.reduce((n, p) => n + p.result.non2xx + p.result.errors, 0);
  const limits: string[] = [];
  if (createMax.result.reqPerSec < AIM.maxCreates) limits.push(`create max: ${limitLine(createMax.cpu)}`);
  if (!pacedMet(createPaced.result, AIM.p99At500)) limits.push(`create at ${RATE}/s: ${limitLine(createPaced.cpu)}`);
  if (getById.result.reqPerSec < AIM.maxReads) limits.push(`get by id: ${limitLine(getById.cpu)}`);
  if (!pacedMet(getPaced.result, AIM.readP99At1000)) limits.push(`get by id at ${int(READ_RATE)}/s: ${limitLine(getPaced.cpu)}`);

  const section = `## API (\`apps/api\`): creates, reads, memory

- command: \`bash bench/run.sh api\` (\`bench/api.bench.ts\`); run ${started.toISOString()}
- machine: ${machineLine(machine)}; load average (1/5/15 min) before ${loadBefore}, after ${loadAverage()}
- set-up: built \`apps/api/dist\` with \`NODE_ENV=production\`, an API key, \`LOG_LEVEL=warn\`, the per-key rate limit
  on but far above what the bench sends (\`API_RATE_LIMIT_PER_SECOND=1000000\`), default pool
  (\`DB_POOL_MAX=10\`), outbox relay on (publishing to \`bench.customer.events\`); fresh database
  \`${DATABASE}\`; loopback only; the load generator (autocannon 9, and our paced generator) is one
  Node process on the same machine. Warm-up 3 s, creates ${CREATE_S} s per phase, reads ${READ_S} s;
  latencies are per request, measured by the client.

${resultsTable(phases)}

API peak RSS: **${mb(memory.peakRssKb)}** (VmRSS sampled every 500 ms; kernel high-water mark VmHWM ${memory.hwmKb === undefined ? 'n/a' : mb(memory.hwmKb)}).
Failed requests over all phases: ${failures}.

CPU by process during each phase (% of one core; “other” is every other process and the kernel;
waited ${phases.settledS.toFixed(0)} s first for other processes to drop below 25 % of a core, 30 s at most):

${cpuTable([idle, ...all], groups)}

${limits.length ? limits.map((l) => `Limit — ${l}`).join('\n\n') : 'Every aim met.'}

Notes: “paced” sends request i at t0 + i/${RATE} s (reads: i/${int(READ_RATE)} s) whatever the responses do (open loop), which is
what “${RATE} creates/s” means (the generator left p99 ${ms(createPaced.result.lagP99)} / ${ms(getPaced.result.lagP99)} behind its schedule); autocannon's \`overallRate\` instead lets each connection send its
per-second quota back to back at the start of every second, so its figures are those of bursts of
${CONNECTIONS} concurrent requests. Outbox emptied by the relay after: ${phases.drains.join('; ')}.`;

  writeSection('api', section);
  process.stdout.write(`${section}\n`);
  saveResults({
    name: 'api',
    figures: [
      { measure: 'api: creates/s, max', value: `${int(createMax.result.reqPerSec)} creates/s`, aim: `≥ ${int(AIM.maxCreates)} creates/s`, met: createMax.result.reqPerSec >= AIM.maxCreates },
      {
        measure: `api: create p99 at ${RATE}/s (paced)`,
        value: createPaced.result.gaveUpAtS === undefined ? ms(createPaced.result.latency.p99) : `not sustained (stopped after ${createPaced.result.gaveUpAtS.toFixed(1)} s)`,
        aim: `≤ ${AIM.p99At500} ms`,
        met: createPaced.result.gaveUpAtS === undefined && createPaced.result.latency.p99 <= AIM.p99At500,
      },
      { measure: 'api: get by id, max', value: `${int(getById.result.reqPerSec)} req/s, p99 ${ms(getById.result.latency.p99)}`, aim: `≥ ${int(AIM.maxReads)} req/s`, met: getById.result.reqPerSec >= AIM.maxReads },
      {
        measure: `api: get by id p99 at ${int(READ_RATE)}/s (paced)`,
        value: getPaced.result.gaveUpAtS === undefined ? ms(getPaced.result.latency.p99) : `not sustained (stopped after ${getPaced.result.gaveUpAtS.toFixed(1)} s)`,
        aim: `≤ ${AIM.readP99At1000} ms`,
        met: pacedMet(getPaced.result, AIM.readP99At1000),
      },
    ],
    rss: { api: memory },
  });
  // Every request must succeed: failures make the figures meaningless, so they fail the run.
  if (failures > 0) throw new Error(`${failures} requests failed (see the table above)`);
}

main().catch((err: unknown) => {
  process.stderr.write(`api benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
