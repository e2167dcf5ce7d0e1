#!/usr/bin/env node
// One package's `dev` task under `pnpm turbo dev`, in the package's folder (scripts/dev-watch.sh
// starts it on the pinned Node.js): rebuilds its dist/ on every change under src/ and, for an app
// or an emulator of the local stack (scripts/dev-stack.js, which `make dev` runs too), runs it
// with the stack's settings and restarts it when its code, or a workspace package it uses, is
// rebuilt. Ctrl-C (SIGINT from turbo) or SIGTERM stops the process, then this.
const path = require('node:path');
const { devStack, ROOT } = require('./dev-stack');
const { watchSources } = require('./dev-rebuild');
const { runAndRestart, runtimeOutDirs } = require('./dev-restart');

const dir = process.cwd();
const here = path.relative(ROOT, dir);
const log = (msg) => process.stdout.write(`[dev] ${msg}\n`);

const stack = devStack();
const sources = watchSources(dir, log);
const proc = stack.processes.find((p) => p.dir === here);
const idle = stack.idle.find((p) => p.dir === here);
if (idle) log(`not started (${idle.why}): rebuilding only`);
const runner =
  proc &&
  runAndRestart({
    cwd: dir,
    cmd: process.execPath,
    args: [...proc.nodeArgs, proc.entry, ...proc.args],
    env: { ...process.env, ...stack.env, ...proc.env },
    dirs: runtimeOutDirs(dir),
    log,
  });

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    sources.close();
    void (runner ? runner.stop() : Promise.resolve()).then(() => process.exit(0));
  });
}
