import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './paths';
import { procStatusKb, RssSampler } from './rss';

export interface ApiOptions {
  databaseUrl: string;
  kafkaBrokers: string;
  topicPrefix: string;
  port: number;
  apiKey: string;
  /** Extra variables (RELAY_ENABLED, DB_POOL_MAX, …) for experiments. */
  env?: Record<string, string>;
}

export interface ApiProcess {
  pid: number;
  origin: string;
  rss: RssSampler;
  /** The last lines the API printed, for the error message when it dies. */
  output: string[];
  stop(): Promise<{ peakRssKb: number; hwmKb: number | undefined }>;
}

/**
 * Runs the built API as production does (NODE_ENV=production, API key, JSON logs at warn) with
 * a clean environment, so that nothing from the caller's shell (RELAY_ENABLED, DB_POOL_MAX, …)
 * changes what is measured.
 */
export async function startApi(opts: ApiOptions): Promise<ApiProcess> {
  const child = spawn(process.execPath, [path.join(ROOT, 'apps/api/dist/index.js')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      API_KEYS: opts.apiKey,
      API_PORT: String(opts.port),
      DATABASE_URL: opts.databaseUrl,
      KAFKA_BROKERS: opts.kafkaBrokers,
      KAFKA_TOPIC_PREFIX: opts.topicPrefix,
      KAFKA_CLIENT_ID: 'bench',
      ...opts.env,
    },
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the API');
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    output.splice(0, Math.max(0, output.length - 50));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // Last resort if the benchmark itself crashes: never leave an API behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);

  const rss = new RssSampler(pid);
  const origin = `http://127.0.0.1:${opts.port}`;
  const stop = async () => {
    rss.stop();
    // VmHWM is the kernel's own peak: a cross-check for the 500 ms samples.
    const hwmKb = procStatusKb(pid, 'VmHWM');
    await terminate(child);
    process.off('exit', killOnExit);
    return { peakRssKb: rss.peakKb, hwmKb };
  };
  try {
    await waitReady(origin, child, output);
  } catch (err) {
    await stop();
    throw err;
  }
  return { pid, origin, rss, output, stop };
}

async function waitReady(origin: string, child: ChildProcess, output: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the API exited with code ${child.exitCode}:\n${output.join('\n')}`);
    const ok = await fetch(`${origin}/health/ready`).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the API was not ready within ${timeoutMs / 1000} s:\n${output.join('\n')}`);
}

/** SIGTERM (the API shuts down in order), then SIGKILL if it is still there after 15 s. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
