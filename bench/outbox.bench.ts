/**
 * Commit → Kafka latency of the outbox relay: creates at a steady rate through the real API,
 * and a consumer on bench.customer.events timing each message's arrival.
 * Run: bash bench/run.sh outbox
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { topics } from '@cs/kafka-schemas';
import { startConsumer, type Received } from './lib/consumer';
import { standardGroups, type CpuGroups } from './lib/cpu';
import { cpuTable, limitLine, measured, settle, type Phase } from './lib/cpu-report';
import { describeMachine, loadAverage, machineLine } from './lib/machine';
import { customerBodies, pacedCreates } from './lib/creates';
import type { PacedResult } from './lib/paced-load';
import type { Memory } from './lib/app-process';
import { mdTable, writeSection } from './lib/report';
import { saveResults } from './lib/results';
import { startStack, TOPIC_PREFIX, type Stack } from './lib/stack';
import { int, ms, summarize, type Summary } from './lib/stats';

const DATABASE = 'customer_sync_bench_outbox';
const PORT = 18010;
// 50/s is a baseline well below what the API sustains; 200/s and 500/s are the rates of the aim.
const RATES = [50, 200, 500];
const PHASE_S = 15;
const AIM_P99 = 20;

const createBody = customerBodies('Outbox Bench');

/** customer id → when its 201 arrived / when its message arrived (both kept, whichever comes first). */
const created = new Map<number, number>();
const received = new Map<number, Received>();
let duplicates = 0;

interface RateFigures {
  load: PacedResult;
  creates: number;
  missing: number;
  /** envelope occurred_at (the row's updated_at, set just before commit) → consumed: an upper bound. */
  occurred: Summary;
  /** HTTP 201 at the client → consumed: a lower bound (the commit precedes the 201). */
  after201: Summary;
  /** Messages that arrived before their own 201 did. */
  beforeResponse: number;
  /** outbox created_at → published_at, both server-side: the relay's share. */
  relay: Summary;
  batches: number;
  loopDelayP99: number;
}

function createAt(stack: Stack, rate: number, durationS: number): Promise<{ load: PacedResult; ids: number[] }> {
  return pacedCreates({ origin: stack.api.origin, rate, durationS, body: createBody, onCreated: (id, _wall, perfMs) => created.set(id, perfMs) });
}

/** Waits until every id's message has arrived, or `timeoutMs`; returns how many never came. */
async function awaitMessages(ids: number[], timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const missing = ids.filter((id) => !received.has(id)).length;
    if (missing === 0 || Date.now() > deadline) return missing;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function runRate(stack: Stack, rate: number, groups: CpuGroups): Promise<Phase<RateFigures>> {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const phase = await measured(`${rate} creates/s`, groups, () => createAt(stack, rate, PHASE_S));
  loop.disable();
  const { load, ids } = phase.result;
  const missing = await awaitMessages(ids, 10_000);

  const occurred: number[] = [];
  const after201: number[] = [];
  for (const id of ids) {
    const msg = received.get(id);
    const t201 = created.get(id);
    if (!msg || t201 === undefined) continue;
    occurred.push(msg.wallMs - Date.parse(msg.occurredAt));
    after201.push(msg.perfMs - t201);
  }
  const { rows } = await stack.db.query<{ lag_ms: number; published_at: Date }>(
    `select extract(epoch from (published_at - created_at)) * 1000 as lag_ms, published_at
       from outbox where aggregate_id = any($1::int[]) and published_at is not null`,
    [ids],
  );
  return {
    ...phase,
    result: {
      load,
      creates: ids.length,
      missing,
      occurred: summarize(occurred),
      after201: summarize(after201),
      beforeResponse: after201.filter((v) => v < 0).length,
      relay: summarize(rows.map((r) => Number(r.lag_ms))),
      // The relay stamps one published_at per batch it sends.
      batches: new Set(rows.map((r) => r.published_at.getTime())).size,
      loopDelayP99: loop.percentile(99) / 1e6,
    },
  };
}

const triple = (s: Summary) => `${ms(s.p50)} / ${ms(s.p99)} / ${ms(s.max)}`;

function verdict(f: RateFigures): string {
  if (f.occurred.p99 <= AIM_P99) return '**met**';
  if (f.after201.p99 <= AIM_P99) return '**met by the lower bound only**';
  return '**missed**';
}

async function main() {
  const machine = describeMachine();
  const loadBefore = loadAverage();
  const started = new Date();
  const stack = await startStack(DATABASE, PORT);
  const topic = topics(TOPIC_PREFIX).customerEvents;
  const groups = standardGroups(stack.api.pid, DATABASE);
  const phases: Array<Phase<RateFigures>> = [];
  let idle: Phase<unknown> | undefined;
  let settledS = 0;
  let invalid = 0;
  let memory: Memory = { peakRssKb: 0, hwmKb: undefined };
  try {
    const consumer = await startConsumer(stack.brokers.split(','), topic, (r) => {
      if (received.has(r.customerId)) duplicates += 1;
      else received.set(r.customerId, r);
    });
    try {
      ({ idle, waitedS: settledS } = await settle(groups));
      // Warm-up (not reported), which also proves the consumer sees what the relay publishes.
      const warm = await createAt(stack, 50, 2);
      const lost = await awaitMessages(warm.ids, 15_000);
      if (lost > 0) throw new Error(`${lost} of ${warm.ids.length} warm-up messages never reached the consumer`);
      for (const rate of RATES) phases.push(await runRate(stack, rate, groups));
    } finally {
      invalid = consumer.invalid;
      await consumer.stop();
    }
  } finally {
    memory = await stack.stop();
  }
  if (!idle) throw new Error('no idle phase');

  const table = mdTable(
    ['rate asked (paced)', 'achieved', 'creates (201) / non-2xx', 'messages missing', 'occurred_at→consumed p50 / p99 / max', '201→consumed p50 / p99 / max', 'outbox created_at→published_at p50 / p99', 'relay batches (mean rows)', 'create HTTP p99', `aim: p99 ≤ ${AIM_P99} ms`],
    phases.map(({ name, result: f }) => [
      name,
      `${int(f.load.achievedRate)}/s${f.load.skipped ? ` (API saturated: ${int(f.load.skipped)} skipped)` : ''}`,
      `${int(f.creates)} / ${f.load.non2xx + f.load.errors}`,
      String(f.missing),
      triple(f.occurred),
      triple(f.after201),
      `${ms(f.relay.p50)} / ${ms(f.relay.p99)}`,
      `${int(f.batches)} (${(f.creates / Math.max(1, f.batches)).toFixed(1)})`,
      ms(f.load.latency.p99),
      verdict(f),
    ]),
  );
  // The relay stamps one published_at per round (select, Kafka send, mark): rounds / s says how
  // long each took, and the relay runs on the API's event loop, so the API's CPU is next to it.
  const limits = phases
    .filter((p) => p.result.occurred.p99 > AIM_P99)
    .map(({ name, cpu, result: f }) =>
      `Limit at ${name} — relay side (created_at→published_at) p50 ${ms(f.relay.p50)}, p99 ${ms(f.relay.p99)}: ` +
      `${int(f.batches)} relay rounds of ${(f.creates / Math.max(1, f.batches)).toFixed(1)} rows, one every ${ms((PHASE_S * 1000) / Math.max(1, f.batches))} on average, ` +
      `on the API's event loop (api ${cpu.groups.api?.toFixed(0) ?? '?'} % of a core). ${limitLine(cpu)}`,
    );
  const loopDelays = phases.map((p) => `${p.name} ${ms(p.result.loopDelayP99)}`).join(', ');

  const section = `## Outbox relay: commit → Kafka latency

- command: \`bash bench/run.sh outbox\` (\`bench/outbox.bench.ts\`); run ${started.toISOString()}
- machine: ${machineLine(machine)}; load average (1/5/15 min) before ${loadBefore}, after ${loadAverage()}
- set-up: built \`apps/api/dist\` (\`NODE_ENV=production\`, API key, \`LOG_LEVEL=warn\`, relay on, \`RELAY_POLL_MS=1000\`
  safety net, NOTIFY wake-ups) on a fresh database \`${DATABASE}\`; creates sent open-loop at a steady rate for
  ${PHASE_S} s each (after a 2 s warm-up at 50/s), at most 64 in flight — requests due while 64 are in flight
  are skipped, so “achieved” is what the API sustained; a kafkajs consumer in the benchmark process (new group, from
  the end of \`${topic}\`, assigned and fetching before the first create) stamps each message on arrival.
- clocks: one machine, so the wall clocks of Postgres, the API and this process agree. \`occurred_at→consumed\` =
  arrival (Date.now()) − the envelope's \`occurred_at\` (the customer's updated_at, stamped in the create's
  transaction just before it commits): an upper bound of commit→consumed, 1 ms resolution. \`201→consumed\` =
  arrival − the HTTP 201 at the client, both performance.now() of this process: a lower bound (the commit precedes
  the 201); negative when the message beat the response. \`created_at→published_at\` comes from the outbox rows
  themselves (stamped in the create's transaction → Postgres now() when the relay marks its batch, after Kafka's ack).

${table}

Messages that arrived before their own 201: ${phases.map((p) => `${p.name} ${p.result.beforeResponse}`).join(', ')}. Duplicates: ${duplicates}; undecodable messages: ${invalid}.
Event-loop delay p99 of the benchmark process (it adds to the arrival stamps): ${loopDelays}.

CPU by process during each phase (% of one core; “other” is every other process and the kernel;
waited ${settledS.toFixed(0)} s first for other processes to drop below 25 % of a core, 30 s at most):

${cpuTable([idle, ...phases], groups)}

${limits.length ? limits.join('\n\n') : 'Aim met at every rate.'}`;

  writeSection('outbox', section);
  process.stdout.write(`${section}\n`);
  saveResults({
    name: 'outbox',
    figures: phases.map(({ result: f }) => ({
      measure: `outbox: commit → Kafka p99 at ${int(f.load.achievedRate)} creates/s`,
      value: ms(f.occurred.p99),
      aim: `≤ ${AIM_P99} ms`,
      met: f.occurred.p99 <= AIM_P99,
    })),
    rss: { 'api (relay in-process)': memory },
  });
  const lost = phases.reduce((n, p) => n + p.result.missing + p.result.load.non2xx + p.result.load.errors, 0);
  // Say why: the first failed requests of each phase (status and body, or the client's error).
  const why = phases.flatMap((p) => p.result.load.failures.map((f) => `${p.result.load.achievedRate.toFixed(0)}/s ${f}`));
  if (lost > 0 || invalid > 0) throw new Error(`${lost} failed creates or lost messages, ${invalid} undecodable messages (see the table above)${why.length ? `; first failures: ${why.join(' | ')}` : ''}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`outbox benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
