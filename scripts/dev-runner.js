#!/usr/bin/env node
// Runs several processes with readable, prefixed output. Ctrl-C (or SIGTERM) sends SIGTERM to
// each, waits for them to finish their own ordered shutdown, and SIGKILLs what is left after 15 s.
// Usage: dev-runner.js <spec.json>, spec = [{ name, cmd, args, env, cwd }]
const { spawn } = require('node:child_process');
const readline = require('node:readline');

const specs = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
const colors = [36, 35, 33, 32, 34, 31];
const width = Math.max(...specs.map((s) => s.name.length));
const children = new Map();
let stopping = false;

function prefix(name, i) {
  const tag = `[${name.padEnd(width)}]`;
  return process.stdout.isTTY ? `\x1b[${colors[i % colors.length]}m${tag}\x1b[0m ` : `${tag} `;
}

specs.forEach((spec, i) => {
  // detached: each in a session of its own, as a service manager starts services. Linux's autogroup
  // shares the CPU between sessions first, so in one session the apps would share one session's
  // weight against Postgres and Kafka (in theirs), and the inbound worker's nice (a session group
  // nice when it leads its session: packages/platform/src/priority.ts) could not yield to the
  // gateway. Detached, they do not get the terminal's Ctrl-C: stop() below passes it on.
  const child = spawn(spec.cmd, spec.args ?? [], { cwd: spec.cwd, env: { ...process.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.set(spec.name, child);
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream }).on('line', (line) => process.stdout.write(prefix(spec.name, i) + line + '\n'));
  }
  child.on('exit', (code, signal) => {
    children.delete(spec.name);
    process.stdout.write(`${prefix(spec.name, i)}exited (${signal ?? `code ${code}`})\n`);
    if (stopping && children.size === 0) process.exit(0);
  });
});

function stop() {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nstopping…\n');
  for (const child of children.values()) child.kill('SIGTERM');
  if (children.size === 0) process.exit(0);
  setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
    process.exit(1);
  }, 15_000).unref();
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('SIGHUP', stop); // the terminal closed: its hangup no longer reaches the detached children
// Whatever ends this runner, no child outlives it.
process.on('exit', () => {
  for (const child of children.values()) child.kill('SIGKILL');
});
