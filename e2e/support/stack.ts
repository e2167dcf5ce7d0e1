/**
 * Starts the real apps (built dist) and the Stripe emulator as child processes, on ports of this
 * jest worker's own, against this worker's database and topic prefix (test/setup-env.js).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runNumber } from '../../test/support/run-number';

export const ROOT = path.resolve(__dirname, '..', '..');
export type AppName = 'api' | 'webhook-gateway' | 'outbound-worker' | 'inbound-worker';

const workerId = Number(process.env.JEST_WORKER_ID ?? '1');
// Ports of this worker's own, spread by run as well, so two jest runs on one machine do not collide.
// All below Linux's ephemeral range (32768–60999): a port there can be taken at any moment by the
// local end of some outgoing connection (Kafka, Postgres), and an app then fails with EADDRINUSE.
const run = runNumber();
const base = 20000 + (run % 25) * 200 + workerId * 20;
export const ports = { api: base, 'webhook-gateway': base + 1, 'outbound-worker': base + 2, 'inbound-worker': base + 3, emulator: base + 10, memory: base + 11, salesforce: base + 12, 'salesforce-grpc': base + 13 };
export const STRIPE_KEY = 'sk_test_e2e_key_do_not_log';
export const WEBHOOK_SECRET = 'whsec_e2e_secret_do_not_log';
/** For tests that run the API with auth on. scripts/check-log-secrets.js fails the run if any of these reach a log. */
export const API_KEY = 'e2e-api-key-do-not-log-0123456789';

export interface Proc {
  name: string;
  child: ChildProcess;
  output: string[];
  /** stdout alone, as received (the CLI's --json document). */
  stdout: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startProcess(name: string, script: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [path.join(ROOT, script), ...args], {
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const stdout: string[] = [];
  const collect = (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout.push(chunk.toString('utf8'));
    collect(chunk);
  });
  child.stderr!.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      keepLog(name, child.pid, output);
      resolve({ code, signal });
    }),
  );
  const proc = { name, child, output, stdout, exited };
  started.set(name, proc);
  return proc;
}

let topicPrefix = process.env.KAFKA_TOPIC_PREFIX!;

/**
 * Gives this test file topics of its own (created now), so its workers never see messages left
 * on the worker's shared topics by earlier files. Call in beforeAll, before starting apps.
 */
export async function isolateTopics(tag: string): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ensureTopics } = require(path.join(ROOT, 'scripts/kafka-topics.js')) as {
    ensureTopics: (brokers: string, prefixes: string[], timeoutMs?: number) => Promise<unknown>;
  };
  topicPrefix = `${process.env.KAFKA_TOPIC_PREFIX}${tag}.${Date.now().toString(36)}.`;
  await ensureTopics(process.env.KAFKA_BROKERS!, [topicPrefix], 30_000);
  return topicPrefix;
}

/** Every process's output is kept under .local/e2e-logs/<run>/, where the secret-leak check reads it. */
export function keepLog(name: string, pid: number | undefined, lines: string[]) {
  const dir = path.join(ROOT, '.local', 'e2e-logs', process.env.CS_TEST_RUN ?? 'r0');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}-${pid ?? 0}.log`), `${lines.join('\n')}\n`);
}

export function appEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: process.env.DATABASE_URL!,
    KAFKA_BROKERS: process.env.KAFKA_BROKERS!,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    KAFKA_CLIENT_ID: `e2e-${process.env.CS_TEST_RUN ?? "r0"}-w${workerId}`, // consumer groups of this run only
    API_PORT: String(ports.api),
    WEBHOOK_PORT: String(ports['webhook-gateway']),
    STRIPE_SECRET_KEY: STRIPE_KEY,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_BASE: `http://127.0.0.1:${ports.emulator}`,
    // Suites run side by side here: a worker yielding to every other suite's processes would only
    // be slower, and the time limits are set for workers at the normal priority.
    INBOUND_WORKER_NICE: '0',
    ...extra,
  };
}

export function startApp(app: AppName, extra: Record<string, string> = {}): Proc {
  const env = appEnv(extra);
  if (app === 'outbound-worker' || app === 'inbound-worker') env.HEALTH_PORT = String(ports[app]);
  return startProcess(app, `apps/${app}/dist/index.js`, [], env);
}

/** The operator CLI (pnpm sync), as a process with the same env as the apps. */
export function startCli(args: string[], extra: Record<string, string> = {}): Proc {
  return startProcess('sync-cli', 'apps/sync-cli/dist/index.js', ['--json', ...args], appEnv({ LOG_LEVEL: 'warn', ...extra }));
}

export async function runCli<T = unknown>(args: string[], extra: Record<string, string> = {}): Promise<{ code: number | null; json: T; output: string }> {
  const proc = startCli(args, extra);
  const { code } = await proc.exited;
  const output = proc.output.join('\n');
  let json: T = undefined as T;
  try {
    json = JSON.parse(proc.stdout.join('')) as T;
  } catch {
    // not JSON: the caller looks at `output`
  }
  return { code, json, output };
}

export function startEmulator(args: string[] = []): Proc {
  return startProcess('stripe-emulator', 'tools/stripe-emulator/dist/cli.js', ['--port', String(ports.emulator), ...args], {});
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function urlOf(name: keyof typeof ports): string {
  return `http://127.0.0.1:${ports[name]}`;
}

/** Every process started, by name (the latest of each): a readiness failure shows what it said. */
const started = new Map<string, Proc>();

export async function waitReady(name: keyof typeof ports, pathName = '/health/ready', timeoutMs = 30_000): Promise<unknown> {
  try {
    return await waitFor(`${name} ready`, async () => {
      const res = await fetch(urlOf(name) + pathName);
      return res.status === 200 ? res.json() : undefined;
    }, timeoutMs);
  } catch (err) {
    const said = started.get(name === 'emulator' ? 'stripe-emulator' : name)?.output.slice(-15).join('\n') ?? '(not started by this file)';
    throw new Error(`${(err as Error).message} (port ${ports[name]})\n${name} said:\n${said}`);
  }
}

/** SIGTERM, then SIGKILL if still alive after `graceMs`. */
export async function stop(proc: Proc, graceMs = 12_000) {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return proc.exited;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
  const result = await proc.exited;
  clearTimeout(timer);
  return result;
}
