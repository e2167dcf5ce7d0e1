/**
 * Chaos: a mixed workload from both sides at once while a scheduler kills workers and the
 * gateway, restarts Kafka and Postgres, makes Stripe fail, throttle, slow down and vanish, and
 * makes Salesforce fail (503s, locked rows), expire its sessions and vanish. Then it waits for
 * quiet and checks that all three hold the same customers, field by field. Then one system is
 * down for two minutes (CHAOS_OUTAGE_MS; CHAOS_OUTAGE_SYSTEMS=stripe,salesforce takes each in
 * turn) while changes keep coming: its circuit breakers open, nothing is parked, and its backlog
 * reaches it within CHAOS_DRAIN_LIMIT_MS of its return.
 * Seeded and reproducible in what it does (CHAOS_SEED); CHAOS_OPS sets the size (`make chaos`
 * runs a long one; `make test` a short one); CHAOS_FAULTS narrows the faults to some kinds. Runs
 * on a private Postgres and Kafka of its own.
 */
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { privateKafka } from '../test/support/private-kafka';
import { privatePostgres } from '../test/support/private-postgres';
import { emulator } from './support/emulator';
import { salesforce, salesforceEnv, startSalesforceEmulator } from './support/salesforce';
import { startApp, startEmulator, stop, urlOf, waitFor, waitReady, WEBHOOK_SECRET, type AppName, type Proc } from './support/stack';

const OPS = Number(process.env.CHAOS_OPS ?? 120);
const SEED = Number(process.env.CHAOS_SEED ?? 42);
/** CHAOS_FAULTS=Postgres,Salesforce keeps only the faults whose names contain one of these (to chase one fault). */
const ONLY = (process.env.CHAOS_FAULTS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
/** The long outage after the faults; 0 leaves it out. */
const OUTAGE_MS = Number(process.env.CHAOS_OUTAGE_MS ?? 120_000);
const OUTAGE_SYSTEMS = (process.env.CHAOS_OUTAGE_SYSTEMS ?? 'stripe').split(',').map((s) => s.trim()).filter(Boolean) as Array<'stripe' | 'salesforce'>;
/** How soon after a system's return everything that waited for it must be there. */
const DRAIN_LIMIT_MS = Number(process.env.CHAOS_DRAIN_LIMIT_MS ?? 30_000);

/** mulberry32: a small seeded PRNG, so a run's choices can be replayed. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pg = privatePostgres('chaos');
const kafka = privateKafka('chaos', '');
const procs = new Map<string, Proc>();
const faults: string[] = [];
const env = () => ({
  DATABASE_URL: pg.url,
  KAFKA_BROKERS: kafka.brokers,
  KAFKA_TOPIC_PREFIX: '',
  KAFKA_CLIENT_ID: 'chaos',
  STRIPE_WRITE_RATE: '200',
  OUTBOUND_RETRY_BASE_MS: '100',
  OUTBOUND_RETRY_MAX_MS: '2000',
  // About 40 s of retries: plenty for the short faults, a third of the long outage, which only the
  // circuit breakers (default settings) keep from parking changes.
  OUTBOUND_MAX_ATTEMPTS: '30',
  INBOUND_RETRY_BASE_MS: '100',
  INBOUND_RETRY_MAX_MS: '2000',
  INBOUND_MAX_ATTEMPTS: '30',
  CATCHUP_INTERVAL_MS: '3000',
  RECONCILE_INTERVAL_MS: '0',
  LOG_LEVEL: 'warn',
  SYNC_SYSTEMS: 'stripe,salesforce',
  INBOUND_WORKER_NICE: '0', // as in every e2e stack (support/stack.ts appEnv)
  ...salesforceEnv,
});

async function launch(app: AppName) {
  const proc = startApp(app, env());
  procs.set(app, proc);
  await waitReady(app, '/health', 60_000).catch((err: Error) => {
    throw new Error(`${err.message}\n${app} said:\n${proc.output.slice(-15).join('\n')}`);
  });
}

async function sql<T extends Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: pg.url });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** What each consumer group has left to read, per partition (nonzero only), to tell a stuck partition on failure. */
async function consumerLag(): Promise<Record<string, Record<number, number>>> {
  const admin = new Kafka({ clientId: 'chaos-check', brokers: kafka.brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const lag: Record<string, Record<number, number>> = {};
    for (const topic of ['sync.inbound', 'customer.events']) {
      const ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
      const groups = topic === 'sync.inbound' ? ['chaos-inbound'] : ['chaos-outbound-stripe', 'chaos-outbound-salesforce'];
      for (const groupId of groups) {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        for (const p of committed?.partitions ?? []) {
          const left = (ends.get(p.partition) ?? 0) - Math.max(0, Number(p.offset));
          if (left > 0) (lag[`${groupId} ${topic}`] ??= {})[p.partition] = left;
        }
      }
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}

async function apiCall(method: string, path: string, body?: unknown): Promise<{ status: number; body: { id?: number; version?: number } }> {
  try {
    const res = await fetch(urlOf('api') + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {} };
  } catch {
    return { status: 0, body: {} }; // not accepted: the database may be restarting
  }
}

beforeAll(async () => {
  await Promise.all([pg.start(), kafka.start()]);
  await pg.migrate();
  procs.set('emulator', startEmulator(['--duplicate-webhooks', '0.2', '--reorder-webhooks']));
  await waitReady('emulator', '/_emulator/health');
  await emulator.addWebhook(`${urlOf('webhook-gateway')}/api/v1/webhooks/stripe`, WEBHOOK_SECRET);
  procs.set('salesforce-emulator', startSalesforceEmulator());
  await waitFor('the Salesforce emulator', () => salesforce.health().then((h) => (h.ok ? true : undefined)), 30_000, 100);
  await Promise.all((['api', 'webhook-gateway', 'outbound-worker', 'inbound-worker'] as const).map(launch));
}, 180_000);

afterAll(async () => {
  await Promise.all([...procs.values()].map((p) => stop(p)));
  await Promise.all([pg.destroy(), kafka.destroy()]);
}, 120_000);

it(`converges after ${OPS} mixed operations under faults (seed ${SEED})`, async () => {
  const random = prng(SEED);
  const pick = <T>(list: T[]): T | undefined => list[Math.floor(random() * list.length)];
  const live: number[] = []; // our ids, as far as accepted writes tell
  let accepted = 0;

  // The workload: API creates/updates/deletes, and people editing in Salesforce and Stripe (not in
  // one that is `down`).
  const operation = async (i: number, down?: string) => {
    const r = random();
    if (r < 0.35 || live.length < 5) {
      const res = await apiCall('POST', '/api/v1/customers', { name: `Chaos ${i}`, email: `chaos${i}-${SEED}@x.io` });
      if (res.status === 201 && res.body.id) {
        live.push(res.body.id);
        accepted++;
      }
    } else if (r < 0.65) {
      const id = pick(live)!;
      const res = await apiCall('PATCH', `/api/v1/customers/${id}`, { name: `Chaos ${i} (api)` });
      if (res.status === 200) accepted++;
    } else if (r < 0.75) {
      const id = pick(live)!;
      const res = await apiCall('DELETE', `/api/v1/customers/${id}`);
      if (res.status === 204) {
        live.splice(live.indexOf(id), 1);
        accepted++;
      }
    } else if (r < 0.85) {
      if (down === 'salesforce') return;
      // A person editing an Account in Salesforce.
      const [m] = await sql<{ external_id: string }>(`select external_id from external_mappings where external_system = 'salesforce' order by random() limit 1`).catch(() => []);
      if (m) await salesforce.ui.update(m.external_id, { Name: `Chaos ${i} (salesforce)` }).catch(() => undefined);
    } else {
      if (down === 'stripe') return;
      const [m] = await sql<{ external_id: string }>(`select external_id from external_mappings where external_system = 'stripe' order by random() limit 1`).catch(() => []);
      if (m) await emulator.dashboard.update(m.external_id, { name: `Chaos ${i} (stripe)` }).catch(() => undefined);
      else await emulator.dashboard.create({ name: `Stripe ${i}`, email: `stripe${i}-${SEED}@x.io` }).catch(() => undefined);
    }
  };
  const workload = (async () => {
    for (let i = 0; i < OPS; i++) {
      await operation(i);
      await new Promise((r) => setTimeout(r, 15));
    }
  })();

  // The fault scheduler: one fault at a time, in a seeded order.
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const kill9 = async (app: AppName) => {
    procs.get(app)!.child.kill('SIGKILL');
    await procs.get(app)!.exited;
    faults.push(`kill -9 ${app}`);
    await sleep(500);
    await launch(app);
  };
  const stripeFault = async (name: string, f: Record<string, unknown>, ms: number) => {
    await emulator.faults(f);
    faults.push(name);
    await sleep(ms);
    await emulator.faults({ error_rate: 0, rate_limit_rps: 0, latency_ms: 0, outage: false });
  };
  const salesforceFault = async (name: string, f: Record<string, unknown>, ms: number) => {
    await salesforce.faults(f);
    faults.push(name);
    await sleep(ms);
    await salesforce.faults({ error_rate: 0, lock_row_failures: 0, outage: false });
  };
  const every: Array<[string, () => Promise<void>]> = [
    ['kill -9 outbound-worker', () => kill9('outbound-worker')],
    ['kill -9 inbound-worker', () => kill9('inbound-worker')],
    ['kill -9 webhook-gateway', () => kill9('webhook-gateway')],
    ['Stripe 30% 500s', () => stripeFault('Stripe 30% 500s', { error_rate: 0.3 }, 3000)],
    ['Stripe rate limit 20/s', () => stripeFault('Stripe rate limit 20/s', { rate_limit_rps: 20 }, 3000)],
    ['Stripe +200 ms latency', () => stripeFault('Stripe +200 ms latency', { latency_ms: 200 }, 2000)],
    ['Stripe outage', () => stripeFault('Stripe outage', { outage: true }, 4000)],
    ['Salesforce 30% 503s', () => salesforceFault('Salesforce 30% 503s', { error_rate: 0.3 }, 3000)],
    ['Salesforce locked rows', () => salesforceFault('Salesforce locked rows', { lock_row_failures: 20 }, 2000)],
    ['Salesforce outage', () => salesforceFault('Salesforce outage', { outage: true }, 4000)],
    [
      'Salesforce sessions expired',
      async () => {
        await salesforce.expireSessions();
        faults.push('Salesforce sessions expired');
      },
    ],
    [
      'Kafka broker restart',
      async () => {
        await kafka.stop();
        faults.push('Kafka broker restart');
        await sleep(2000);
        await kafka.start();
      },
    ],
    [
      'Postgres restart',
      async () => {
        await pg.stop();
        faults.push('Postgres restart');
        await sleep(1500);
        await pg.start();
      },
    ],
    ['kill -9 outbound-worker', () => kill9('outbound-worker')],
    ['kill -9 inbound-worker', () => kill9('inbound-worker')],
    ['kill -9 webhook-gateway', () => kill9('webhook-gateway')],
  ];
  const chosen = ONLY.length === 0 ? every : every.filter(([name]) => ONLY.some((o) => name.includes(o)));
  // A narrowed run repeats its faults, so that it is as long as a full one.
  const schedule = Array.from({ length: every.length }, (_, i) => chosen[i % chosen.length]![1]);
  for (let i = schedule.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [schedule[i], schedule[j]] = [schedule[j]!, schedule[i]!];
  }
  const chaos = (async () => {
    for (const fault of schedule) {
      await fault();
      await sleep(400);
    }
  })();
  await Promise.all([workload, chaos]);
  const quietFrom = Date.now();

  // Quiet: both sides equal on three checks in a row, and nothing left to publish.
  type Side = Map<string, { name: string; email: string; id?: number }>;
  const ourSide = async (system: string): Promise<Side> => {
    const rows = await sql<{ id: number; name: string; email: string; external_id: string | null }>(
      `select c.id, c.name, c.email, m.external_id from customers c left join external_mappings m on m.internal_id = c.id and m.external_system = $1 where c.deleted_at is null`,
      [system],
    );
    return new Map(rows.map((r) => [r.external_id ?? `unlinked:${r.id}`, { name: r.name, email: r.email, id: r.id }]));
  };
  const compare = (system: string, ours: Side, theirs: Side): string[] => {
    const diffs: string[] = [];
    for (const [id, o] of ours) {
      const t = theirs.get(id);
      if (!t) diffs.push(`${system} ${id}: only ours (customer ${o.id}, ${o.email})`);
      else if (t.name !== o.name || t.email !== o.email) diffs.push(`${system} ${id}: ours ${o.name}/${o.email} theirs ${t.name}/${t.email} (customer ${o.id})`);
    }
    for (const [id, t] of theirs) if (!ours.has(id)) diffs.push(`${system} ${id}: only theirs (${t.email})`);
    return diffs;
  };
  const snapshot = async (): Promise<{ ours: Side; theirs: Side; accounts: Side; diffs: string[] }> => {
    const ours = await ourSide('stripe');
    const theirs: Side = new Map((await emulator.customers()).map((c) => [c.id, { name: c.name ?? '', email: (c.email ?? '').toLowerCase() }]));
    const accounts: Side = new Map((await salesforce.accounts()).filter((a) => !a.IsDeleted).map((a) => [a.Id, { name: a.Name, email: (a.Billing_Email__c ?? '').toLowerCase() }]));
    return { ours, theirs, accounts, diffs: [...compare('stripe', ours, theirs), ...compare('salesforce', await ourSide('salesforce'), accounts)] };
  };
  const unpublished = async () => (await sql<{ n: number }>(`select count(*)::int as n from outbox where published_at is null`).catch(() => [{ n: -1 }]))[0]?.n ?? -1;
  let last = { diffs: ['not checked'] } as Awaited<ReturnType<typeof snapshot>>;
  const converge = async (timeoutMs: number) => {
    let streak = 0;
    await waitFor('convergence', async () => {
      last = await snapshot().catch(() => last);
      const n = await unpublished();
      streak = last.diffs.length === 0 && n === 0 ? streak + 1 : 0;
      return streak >= 3 ? true : undefined;
    }, timeoutMs, 1000).catch(() => undefined);
  };
  await converge(240_000);
  const convergenceMs = Date.now() - quietFrom;

  // The long outage: one system gone for OUTAGE_MS while changes keep coming, some for it.
  const longOutage = async (system: 'stripe' | 'salesforce', first: number) => {
    const setOutage = (outage: boolean) => (system === 'stripe' ? emulator.faults({ outage }) : salesforce.faults({ outage }));
    const from = (await sql<{ now: Date }>('select now() as now'))[0]!.now;
    await setOutage(true);
    faults.push(`${system} down ${OUTAGE_MS / 1000} s`);
    let circuitOpened = false;
    const watch = setInterval(() => {
      void fetch(`${urlOf('outbound-worker')}/health/ready`)
        .then((r) => r.json() as Promise<{ checks: Record<string, string> }>)
        .then((h) => (circuitOpened ||= /^(open|half-open)/.test(h.checks[`${system}_circuit`] ?? '')))
        .catch(() => undefined);
    }, 1000);
    const end = Date.now() + OUTAGE_MS;
    for (let i = first; Date.now() < end; i++) {
      await operation(i, system);
      await sleep(Math.max(0, Math.min(OUTAGE_MS / OPS, end - Date.now())));
    }
    clearInterval(watch);
    await setOutage(false);
    const back = Date.now();
    const drainMs = await waitFor(`${system} caught up after its outage`, async () => {
      const now = await snapshot().catch(() => undefined);
      return now && now.diffs.every((d) => !d.startsWith(`${system} `)) && (await unpublished()) === 0 ? Date.now() - back : undefined;
    }, 180_000, 250).catch(() => Infinity);
    const parked = await sql<{ id: number; reason: string }>(`select id, reason from dead_letters where created_at >= $1`, [from]);
    return { system, circuitOpened, parked, drainMs };
  };
  const outages: Array<Awaited<ReturnType<typeof longOutage>>> = [];
  // Only after the faults have converged: its own changes could otherwise hide what they left wrong.
  const settled = last.diffs.length === 0;
  for (const system of OUTAGE_MS > 0 && settled ? OUTAGE_SYSTEMS : []) outages.push(await longOutage(system, OPS * (outages.length + 1)));
  if (outages.length > 0) await converge(180_000);

  const all = await emulator.customers();
  const emails = all.map((c) => c.email);
  const duplicated = emails.length - new Set(emails).size;
  const byInternal = all.map((c) => c.metadata.internal_id).filter(Boolean);
  const duplicatedInternal = byInternal.length - new Set(byInternal).size;
  const sfIds = (await salesforce.accounts()).filter((a) => !a.IsDeleted && a.Customer_Sync_Id__c).map((a) => a.Customer_Sync_Id__c);
  const duplicatedAccounts = sfIds.length - new Set(sfIds).size;
  const parked = await sql<{ id: number; reason: string; error_code: string }>(`select id, reason, error_code from dead_letters where status = 'parked'`);
  const transientParked = parked.filter((d) => d.reason.startsWith('gave up after'));
  const ourIds = new Set((await sql<{ id: number }>(`select id from customers where deleted_at is null`)).map((r) => r.id));
  const missingAccepted = live.filter((id) => !ourIds.has(id));

  const inbound = await sql<{ sys: string; n: number }>(`select external_system as sys, count(*)::int as n from sync_events where direction = 'inbound' group by 1 order by 1`);
  const table = [
    ['operations', String(OPS)],
    ['accepted API writes', String(accepted)],
    ['faults injected', String(faults.length)],
    ['fault order', faults.join(', ')],
    ['customers (ours / Stripe / Salesforce)', `${last.ours?.size ?? '?'} / ${last.theirs?.size ?? '?'} / ${last.accounts?.size ?? '?'}`],
    ['convergence time', `${(convergenceMs / 1000).toFixed(1)} s${settled ? '' : ' (did not converge: no long outage)'}`],
    ...outages.map((o) => [
      `${o.system} down ${OUTAGE_MS / 1000} s`,
      `circuit opened: ${o.circuitOpened ? 'yes' : 'no'}, dead letters: ${o.parked.length}, all there ${(o.drainMs / 1000).toFixed(1)} s after its return`,
    ]),
    ['diffs', String(last.diffs.length)],
    ['duplicated Stripe customers', String(duplicated + duplicatedInternal)],
    ['duplicated Salesforce Accounts', String(duplicatedAccounts)],
    ['dead letters (transient cause)', `${parked.length} (${transientParked.length})`],
    ['inbound events recorded', inbound.map((r) => `${r.sys} ${r.n}`).join(', ')],
  ];
  // On failure, the story of the first customers that differ, to see which rule broke.
  for (const diff of last.diffs.slice(0, 3)) {
    const id = /customer (\d+)/.exec(diff)?.[1];
    if (!id) continue;
    // Its rows, and the rows naming its records that found no customer (a duplicate event id, say).
    const story = await sql(
      `select id, direction, event_type, external_system as sys, status, coalesce(error_message, payload->>'reason', payload->>'action') as detail, payload->>'external_id' as ext, payload->>'event_id' as ev
         from sync_events where entity_id = $1 or payload->>'external_id' in (select external_id from external_mappings where internal_id = $1) order by id`,
      [Number(id)],
    );
    process.stdout.write(`\n${diff}\n${story.map((r) => `  ${JSON.stringify(r)}`).join('\n')}\n`);
  }
  if (last.diffs.length > 0) {
    const backlog = await sql(`select count(*)::int as n from outbox where published_at is null`).catch(() => []);
    process.stdout.write(`\noutbox backlog: ${JSON.stringify(backlog)}\n`);
    process.stdout.write(`\nconsumer lag by group and partition: ${JSON.stringify(await consumerLag().catch((err: Error) => err.message))}\n`);
    for (const [name, p] of procs) process.stdout.write(`\n--- ${name} (last lines)\n${p.output.slice(-25).join('\n')}\n`);
  }
  process.stdout.write(`\nchaos summary (seed ${SEED})\n${table.map(([k, v]) => `  ${k!.padEnd(32)} ${v}`).join('\n')}\n`);

  expect(last.diffs.slice(0, 10)).toEqual([]);
  expect(duplicated + duplicatedInternal).toBe(0);
  expect(duplicatedAccounts).toBe(0);
  expect(missingAccepted).toEqual([]);
  expect(transientParked).toEqual([]);
  for (const o of outages) {
    expect({ system: o.system, circuitOpened: o.circuitOpened, deadLetters: o.parked }).toEqual({ system: o.system, circuitOpened: true, deadLetters: [] });
    expect(o.drainMs).toBeLessThanOrEqual(DRAIN_LIMIT_MS);
  }
}, 1_200_000);
