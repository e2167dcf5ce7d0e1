/**
 * `pnpm turbo dev` restarts an app when the code it runs changes (scripts/dev-restart.js): its own
 * dist/ or a workspace package it depends on; a file rewritten with the same content restarts
 * nothing; stop() leaves no process.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '../e2e/support/stack';
import { alive } from './support/process';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dev = require('../scripts/dev-restart.js') as {
  runtimeOutDirs: (dir: string) => string[];
  runAndRestart: (o: { cwd: string; cmd: string; args: string[]; env: NodeJS.ProcessEnv; dirs: string[]; log: (msg: string) => void }) => { stop(): Promise<void> };
};

const root = path.resolve(__dirname, '..');
describe('the dev restart', () => {
  it("watches an app's own dist and that of each workspace package it runs with, not its dev dependencies", () => {
    const dirs = dev.runtimeOutDirs(path.join(root, 'apps/inbound-worker')).map((d) => path.relative(root, d));
    expect(dirs.sort()).toEqual(['apps/inbound-worker', 'packages/domain', 'packages/integrations', 'packages/kafka-schemas', 'packages/platform', 'packages/sync-jobs', 'migrations'].map((d) => `${d}/dist`).sort());
    expect(dev.runtimeOutDirs(path.join(root, 'tools/stripe-emulator')).map((d) => path.relative(root, d))).toEqual(['tools/stripe-emulator/dist']);
  });

  it('restarts on a changed file of any watched dir, not on one rewritten unchanged; stop() ends the process', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-dev-restart-'));
    const app = path.join(dir, 'app');
    const lib = path.join(dir, 'lib');
    fs.mkdirSync(app);
    fs.mkdirSync(lib);
    fs.writeFileSync(path.join(lib, 'index.js'), 'module.exports = 1;\n');
    fs.writeFileSync(path.join(app, 'index.js'), "require('../lib/index.js'); setInterval(() => {}, 1000);\n");
    const said: string[] = [];
    const runner = dev.runAndRestart({ cwd: dir, cmd: process.execPath, args: ['app/index.js'], env: process.env, dirs: [app, lib], log: (msg) => said.push(msg) });
    const pids = () => said.flatMap((m) => /^started \(pid (\d+)\)$/.exec(m)?.[1] ?? []).map(Number);
    try {
      expect(pids()).toHaveLength(1);
      // Unchanged, then changed: one restart, for the changed file only.
      fs.writeFileSync(path.join(app, 'index.js'), fs.readFileSync(path.join(app, 'index.js')));
      fs.writeFileSync(path.join(lib, 'index.js'), 'module.exports = 2;\n');
      fs.writeFileSync(path.join(lib, 'index.js.map'), '{}'); // maps and declarations do not count
      await waitFor('the restart', async () => (pids().length === 2 ? true : undefined), 10_000, 20);
      expect(said.filter((m) => m.startsWith('restarting: '))).toEqual([`restarting: ${path.relative(root, path.join(lib, 'index.js'))} changed`]);
      await waitFor('the first process gone', async () => (!alive(pids()[0]!) ? true : undefined), 10_000, 20);
      expect(alive(pids()[1]!)).toBe(true);
    } finally {
      await runner.stop();
      fs.rmSync(dir, { recursive: true });
    }
    expect(pids().every((pid) => !alive(pid))).toBe(true);
    expect(said.filter((m) => m.startsWith('exited'))).toEqual([]); // stopped by us, not crashed
  });
});
