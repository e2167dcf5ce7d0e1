import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './paths';
import { procStatusKb, RssSampler } from './rss';

export type AppName = 'api' | 'webhook-gateway' | 'outbound-worker' | 'inbound-worker';

export interface Memory {
  peakRssKb: number;
  /** The kernel's own peak (VmHWM): a cross-check for the 500 ms samples. */
  hwmKb: number | undefined;
}

export interface BenchProcess {
  name: string;
  pid: number;
  /** http://127.0.0.1:<port> of its health (and, for the API and gateway, its routes). */
  origin: string;
  rss: RssSampler;
  /** The last lines it printed, for the error message when it dies. */
  output: string[];
  child: ChildProcess;
  stop(): Promise<Memory>;
}

interface SpawnOptions {
  name: string;
  script: string;
  args?: string[];
  /** Options of node itself, before the script (--cpu-prof, …). */
  nodeArgs?: string[];
  env: Record<string, string>;
  port: number;
  /** Polled until 200; `null` to not wait. */
  readyPath: string | null;
}

/**
 * Runs a built script with a clean environment (nothing from the caller's shell — RELAY_ENABLED,
 * DB_POOL_MAX, … — changes what is measured), samples its memory, and waits until it is ready.
 *
 * Each in a session of its own (detached: setsid), as a service manager or a container runtime
 * starts a service: with Linux's autogroup the scheduler shares the CPU between sessions first,
 * and in the benchmark's session every app (and the peer's server) would share one session's
 * weight with the load generator and each other, against Postgres and Kafka at a full weight
 * each (both started in their own sessions by scripts/infra.sh). Detached children do not get
 * the signals of the benchmark's process group, so the benchmark passes SIGINT and SIGTERM on.
 */
export async function spawnMeasured(opts: SpawnOptions): Promise<BenchProcess> {
  stopChildrenOnSignals();
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), path.join(ROOT, opts.script), ...(opts.args ?? [])], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { PATH: process.env.PATH ?? '', ...opts.env },
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${opts.name}`);
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    output.splice(0, Math.max(0, output.length - 50));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // Last resort if the benchmark itself crashes: never leave a process behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);

  const rss = new RssSampler(pid);
  const origin = `http://127.0.0.1:${opts.port}`;
  const stop = async (): Promise<Memory> => {
    rss.stop();
    const hwmKb = procStatusKb(pid, 'VmHWM');
    await terminate(child);
    process.off('exit', killOnExit);
    return { peakRssKb: rss.peakKb, hwmKb };
  };
  try {
    if (opts.readyPath !== null) await waitReady(opts.name, origin + opts.readyPath, child, output);
  } catch (err) {
    await stop();
    throw err;
  }
  return { name: opts.name, pid, origin, rss, output, child, stop };
}

let signalsHandled = false;

/** Ctrl-C or `timeout` (bench/run.sh) ends the benchmark: exit, so that every child is killed (the 'exit' handlers above). */
function stopChildrenOnSignals(): void {
  if (signalsHandled) return;
  signalsHandled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));
}

export interface AppOptions {
  databaseUrl: string;
  kafkaBrokers: string;
  topicPrefix: string;
  port: number;
  /** Extra variables (API_KEYS, STRIPE_*, RELAY_ENABLED, …). */
  env?: Record<string, string>;
}

/**
 * The API's per-key rate limit set far past anything a benchmark sends: the figures measure what
 * the API serves, with the limiter's own cost in them (it still runs), never the limit itself.
 */
const UNTHROTTLED = { API_RATE_LIMIT_PER_SECOND: '1000000', API_RATE_LIMIT_BURST: '1000000' };

/**
 * BENCH_CPU_PROF=<dir> (bench/run.sh profile): every app a benchmark starts writes a V8 CPU profile
 * of its whole life to <dir>/<app>/ when it exits (bench/profiles.ts summarises them).
 */
export function profilerArgs(name: string): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(dir, name)}`] : [];
}

/** The V8 heap bounds the workers' start scripts (apps/<app>/package.json) run them with. */
const HEAP_ARGS: Partial<Record<AppName, string[]>> = {
  'outbound-worker': ['--max-old-space-size=96', '--max-semi-space-size=16'],
  'inbound-worker': ['--max-old-space-size=128', '--max-semi-space-size=16'],
};

/** One of the apps, built, as production runs it (NODE_ENV=production, JSON logs at warn, its heap bound). */
export function startApp(app: AppName, opts: AppOptions): Promise<BenchProcess> {
  const portVar = app === 'api' ? 'API_PORT' : app === 'webhook-gateway' ? 'WEBHOOK_PORT' : 'HEALTH_PORT';
  return spawnMeasured({
    name: app,
    script: `apps/${app}/dist/index.js`,
    nodeArgs: [...(HEAP_ARGS[app] ?? []), ...profilerArgs(app)],
    port: opts.port,
    readyPath: '/health/ready',
    env: {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      [portVar]: String(opts.port),
      DATABASE_URL: opts.databaseUrl,
      KAFKA_BROKERS: opts.kafkaBrokers,
      KAFKA_TOPIC_PREFIX: opts.topicPrefix,
      KAFKA_CLIENT_ID: `bench-${Date.now().toString(36)}`, // fresh consumer groups every run
      ...(app === 'api' ? UNTHROTTLED : {}),
      ...opts.env,
    },
  });
}

/** The Stripe emulator as its own process (so its CPU and memory show apart from ours). */
export function startEmulator(port: number, args: string[] = []): Promise<BenchProcess> {
  return spawnMeasured({
    name: 'stripe-emulator',
    script: 'tools/stripe-emulator/dist/cli.js',
    args: ['--port', String(port), ...args],
    env: {},
    port,
    readyPath: '/_emulator/health',
  });
}

/** The Salesforce emulator as its own process: REST + OAuth on `port`, the Pub/Sub API (gRPC) on `grpcPort`. */
export function startSalesforceEmulator(port: number, grpcPort: number, client: { id: string; secret: string }, args: string[] = []): Promise<BenchProcess> {
  return spawnMeasured({
    name: 'salesforce-emulator',
    script: 'tools/salesforce-emulator/dist/cli.js',
    args: ['--port', String(port), '--grpc-port', String(grpcPort), '--client-id', client.id, '--client-secret', client.secret, ...args],
    env: {},
    port,
    readyPath: '/_emulator/health',
  });
}

async function waitReady(name: string, url: string, child: ChildProcess, output: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}:\n${output.join('\n')}`);
    const ok = await fetch(url).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} was not ready within ${timeoutMs / 1000} s:\n${output.join('\n')}`);
}

/** SIGTERM (the apps shut down in order), then SIGKILL if it is still there after 15 s. */
export async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
