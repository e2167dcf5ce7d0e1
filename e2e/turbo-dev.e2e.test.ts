/**
 * Issue 18 §6: `pnpm turbo dev` runs the local stack from a fresh clone — this checkout's files
 * alone (no dist/, no .local/), its dependencies installed from the store, Node and pnpm from its
 * .cache/tools — on this worker's ports, database and topics, with both emulators. The shared
 * Postgres and Kafka are used, not started, and are still up afterwards. An edit of an app restarts
 * that app with the new code; an edit of a package restarts the apps that use it and nothing else;
 * Ctrl-C leaves no process and no open port behind.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { query } from '../test/support/db';
import { appEnv, isolateTopics, keepLog, ports, ROOT, urlOf, waitFor } from './support/stack';

const APPS = ['api', 'webhook-gateway', 'outbound-worker', 'inbound-worker'] as const;
const EMULATORS = ['stripe-emulator', 'salesforce-emulator'] as const;
const STACK_PORTS = [ports.api, ports['webhook-gateway'], ports['outbound-worker'], ports['inbound-worker'], ports.emulator, ports.salesforce, ports['salesforce-grpc']];

let clone: string;
let env: NodeJS.ProcessEnv;
let turbo: ChildProcess | undefined;
const output: string[] = [];

/** The working tree as a fresh clone would have it, uncommitted edits included. */
function freshClone(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-turbo-dev-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' }).split('\0');
  for (const file of files.filter((f) => f && fs.existsSync(path.join(ROOT, f)))) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
  }
  fs.symlinkSync(path.join(ROOT, '.cache'), path.join(dir, '.cache')); // the pinned Node and pnpm, as bootstrap leaves them
  return dir;
}

/** Turbo's cache of this checkout (a git worktree shares its main worktree's): builds of unchanged sources are hits. */
function turboCacheDir(): string {
  const common = execFileSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: ROOT, encoding: 'utf8' }).trim();
  return process.env.TURBO_CACHE_DIR ?? path.join(path.dirname(common), '.turbo', 'cache');
}

/** Every process on the machine started from the clone or running in it. */
function processesIn(dir: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
      if (cmd.includes(dir) || cwd === dir || cwd.startsWith(`${dir}/`)) found.push(`${pid} ${cmd}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** What the runner of one package's dev task said (turbo prefixes each line with `<package>:dev: `). */
const said = (pkg: string) => output.filter((l) => l.startsWith(`@cs/${pkg}:dev: [dev] `)).map((l) => l.slice(`@cs/${pkg}:dev: [dev] `.length));
const pids = (pkg: string) => said(pkg).flatMap((l) => /^started \(pid (\d+)\)$/.exec(l)?.[1] ?? []).map(Number);
const restarts = (pkg: string) => said(pkg).filter((l) => l.startsWith('restarting: '));
const tail = () => output.slice(-40).join('\n');

async function allReady(what: string) {
  try {
    await Promise.all(
      APPS.map((app) => waitFor(`${app} ready`, async () => ((await fetch(`${urlOf(app)}/health/ready`)).status === 200 ? true : undefined), 180_000, 250)),
    );
  } catch (err) {
    throw new Error(`${what}: ${(err as Error).message}\n${tail()}`);
  }
}

function edit(file: string, line: string) {
  fs.appendFileSync(path.join(clone, file), `\n${line}\n`);
}

beforeAll(async () => {
  await isolateTopics('turbodev');
  clone = freshClone();
  execFileSync(path.join(clone, '.cache/tools/node_modules/.bin/pnpm'), ['install', '--offline', '--frozen-lockfile', '--reporter=silent'], { cwd: clone, stdio: 'pipe', timeout: 120_000 });
  const { STRIPE_SECRET_KEY: _k, STRIPE_WEBHOOK_SECRET: _s, STRIPE_API_BASE: _b, ...stackEnv } = appEnv();
  env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(STRIPE_|SALESFORCE_|NODE_ENV$|HEALTH_PORT$)/.test(k))),
    ...stackEnv,
    PATH: `${path.join(clone, '.cache/tools/node_modules/.bin')}:${process.env.PATH}`,
    TURBO_CACHE_DIR: turboCacheDir(),
    SYNC_SYSTEMS: 'stripe,salesforce',
    OUTBOUND_HEALTH_PORT: String(ports['outbound-worker']),
    INBOUND_HEALTH_PORT: String(ports['inbound-worker']),
    EMULATOR_PORT: String(ports.emulator),
    SALESFORCE_EMULATOR_PORT: String(ports.salesforce),
    SALESFORCE_EMULATOR_GRPC_PORT: String(ports['salesforce-grpc']),
  };
}, 180_000);

afterAll(() => {
  if (turbo?.pid && turbo.exitCode === null) process.kill(-turbo.pid, 'SIGKILL');
  for (const left of processesIn(clone ?? '/nonexistent')) process.kill(Number(left.split(' ')[0]), 'SIGKILL');
  keepLog('turbo-dev', turbo?.pid, output);
  if (clone) fs.rmSync(clone, { recursive: true, force: true });
});

it('runs the stack, rebuilds and restarts what an edit touches, and Ctrl-C stops everything', async () => {
  // A new process group, as a terminal gives a command: Ctrl-C signals the whole group.
  turbo = spawn('pnpm', ['turbo', 'dev'], { cwd: clone, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => turbo!.on('exit', (code) => resolve(code)));
  for (const stream of [turbo.stdout!, turbo.stderr!]) stream.on('data', (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  await allReady('the stack did not come up');
  for (const name of EMULATORS) expect(pids(name)).toHaveLength(1);

  // An app's own source: it is rebuilt and restarted, and runs the new code; the others are not touched.
  const [apiBefore] = pids('api');
  edit('apps/api/src/index.ts', `console.log('turbo-dev-probe: edited api');`);
  await waitFor('the api restarted with the edit', async () => (output.some((l) => l === '@cs/api:dev: turbo-dev-probe: edited api') ? true : undefined), 60_000, 100).catch((err: Error) => {
    throw new Error(`${err.message}\n${tail()}`);
  });
  expect(said('api')).toContain('restarting: apps/api/dist/index.js changed');
  expect(pids('api')).toHaveLength(2);
  expect(() => process.kill(apiBefore!, 0)).toThrow(); // the old process is gone
  await allReady('after the api edit');
  for (const other of ['webhook-gateway', 'outbound-worker', 'inbound-worker', ...EMULATORS]) expect(restarts(other)).toEqual([]);

  // A package's source: it is rebuilt, and every app using it restarts; the emulators do not.
  edit('packages/platform/src/index.ts', `export const turboDevProbe = 'edited platform';`);
  await waitFor('every app restarted after the platform edit', async () => (APPS.every((app) => pids(app).length === (app === 'api' ? 3 : 2)) ? true : undefined), 60_000, 100).catch((err: Error) => {
    throw new Error(`${err.message}\n${tail()}`);
  });
  expect(said('platform')).toContainEqual(expect.stringMatching(/^rebuilt dist\/index\.js in \d+ ms$/));
  for (const app of APPS) expect(restarts(app)).toContain('restarting: packages/platform/dist/index.js changed');
  for (const name of EMULATORS) expect(restarts(name)).toEqual([]);
  await allReady('after the platform edit');

  // Ctrl-C: every task stops within turbo's grace period (no "Force killed"), and nothing is left.
  process.kill(-turbo.pid!, 'SIGINT');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`pnpm turbo dev did not exit\n${tail()}`)), 30_000)))]);
  clearTimeout(timer);
  await waitFor('no process left', async () => (processesIn(clone).length === 0 ? true : undefined), 10_000).catch(() => {
    throw new Error(`left running:\n${processesIn(clone).join('\n')}`);
  });
  expect(output.filter((l) => /force kill/i.test(l))).toEqual([]);
  expect(await Promise.all(STACK_PORTS.map(portOpen))).toEqual(STACK_PORTS.map(() => false));
  // The shared infra was used, not owned: still up.
  expect(await query('select 1 as up')).toEqual([{ up: 1 }]);
}, 300_000);
