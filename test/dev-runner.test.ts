/**
 * scripts/dev-runner.js (what `make dev` runs the apps with): each process in a session of its
 * own, as a service manager starts services, and still stopped by the runner's Ctrl-C or SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { alive, sessionOf } from './support/process';

const ROOT = path.join(__dirname, '..');
// Says its pid, then waits to be stopped.
const APP = `
  console.log('ready ' + process.pid);
  process.on('SIGTERM', () => { console.log('stopping'); process.exit(0); });
  setInterval(() => {}, 1000);`;

interface Started {
  runner: ChildProcess;
  apps: Array<{ pid: number; session: number }>;
  output: string[];
}

let dir: string;
const started: Started[] = [];
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dev-runner-'));
});
// A failed expectation must not leave a runner or its apps behind.
afterEach(() => {
  for (const { runner, apps } of started.splice(0)) {
    for (const app of apps) if (alive(app.pid)) process.kill(app.pid, 'SIGKILL');
    if (runner.exitCode === null && runner.signalCode === null) runner.kill('SIGKILL');
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(): Promise<Started> {
  const spec = path.join(dir, 'spec.json');
  writeFileSync(spec, JSON.stringify(['one', 'two'].map((name) => ({ name, cmd: process.execPath, args: ['-e', APP], env: {}, cwd: ROOT }))));
  const runner = spawn(process.execPath, [path.join(ROOT, 'scripts/dev-runner.js'), spec], { stdio: ['ignore', 'pipe', 'inherit'] });
  const output: string[] = [];
  const apps: Started['apps'] = [];
  return new Promise((resolve, reject) => {
    runner.stdout!.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        output.push(line);
        const ready = /ready (\d+)$/.exec(line);
        if (ready) apps.push({ pid: Number(ready[1]), session: sessionOf(Number(ready[1])) });
        if (apps.length === 2) {
          const run = { runner, apps, output };
          started.push(run);
          resolve(run);
        }
      }
    });
    runner.once('exit', (code) => reject(new Error(`runner exited (${code}) before both apps were ready: ${output.join('\n')}`)));
  });
}

const exited = (p: ChildProcess) => new Promise<number | null>((resolve) => p.once('exit', (code) => resolve(code)));

describe('scripts/dev-runner.js', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('runs each app in a session of its own, and %s to the runner stops them all in their own order', async (signal) => {
    const { runner, apps, output } = await start();
    for (const app of apps) expect(app.session).toBe(app.pid);
    expect(apps[0]!.session).not.toBe(apps[1]!.session);

    const done = exited(runner);
    runner.kill(signal);
    expect(await done).toBe(0);
    // Each got SIGTERM and ran its own shutdown (not a SIGKILL): "stopping", then the runner's "exited".
    expect(output.filter((l) => l.endsWith('stopping'))).toHaveLength(2);
    expect(output.filter((l) => /exited \(code 0\)$/.test(l))).toHaveLength(2);
    for (const app of apps) expect(alive(app.pid)).toBe(false);
  });
});
