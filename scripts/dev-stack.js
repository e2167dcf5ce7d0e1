#!/usr/bin/env node
// The local stack that `make dev` and `pnpm turbo dev` both run, in one place: its processes, the
// settings they get on top of the caller's environment (the dev defaults and the local infra of
// .local/infra.env), and the emulators standing in for Stripe and Salesforce when no account is
// given. A value the caller sets always wins; an empty one counts as unset, as in the apps.
// Usage: dev-stack.js prepare [spec.json] — checks the settings and the emulators' ports, writes
// .local/dev.env (the emulators' settings, for a shell or the CLI: `set -a; source .local/dev.env`)
// and, given a path, the process list scripts/dev-runner.js runs.
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const LOCAL = path.join(ROOT, '.local');

/** KEY=VALUE lines, as infra.sh and prepare write them; a missing file is empty. */
function readEnvFile(file) {
  if (!fs.existsSync(file)) return {};
  const entries = fs.readFileSync(file, 'utf8').split('\n').map((line) => /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line)).filter(Boolean);
  return Object.fromEntries(entries.map((m) => [m[1], m[2]]));
}

function stripeEmulator(value) {
  if (value('STRIPE_SECRET_KEY') || value('STRIPE_API_BASE')) {
    if (!value('STRIPE_SECRET_KEY')) return { problem: 'STRIPE_API_BASE is set but STRIPE_SECRET_KEY is not' };
    if (!value('STRIPE_WEBHOOK_SECRET')) return { problem: 'STRIPE_WEBHOOK_SECRET is required with a real Stripe key (see README: stripe listen)' };
    return {};
  }
  // No Stripe account given: the emulator, with a test key and webhook secret of our own.
  const port = value('EMULATOR_PORT') ?? '12111';
  const settings = { STRIPE_API_BASE: `http://127.0.0.1:${port}`, STRIPE_SECRET_KEY: 'sk_test_local_dev_key', STRIPE_WEBHOOK_SECRET: value('STRIPE_WEBHOOK_SECRET') ?? 'whsec_local_dev_secret' };
  const webhooks = `http://127.0.0.1:${value('WEBHOOK_PORT') ?? '8001'}/api/v1/webhooks/stripe`;
  return {
    settings,
    process: {
      name: 'stripe-emulator', dir: 'tools/stripe-emulator', entry: 'dist/cli.js', nodeArgs: [], env: {},
      args: ['--port', port, '--webhook-url', webhooks, '--webhook-secret', settings.STRIPE_WEBHOOK_SECRET],
      ports: [{ port, busy: `port ${port} is taken; stop it or set EMULATOR_PORT` }],
      note: `no STRIPE_SECRET_KEY: using the Stripe emulator at ${settings.STRIPE_API_BASE}`,
    },
  };
}

function salesforceEmulator(value) {
  if (!`,${value('SYNC_SYSTEMS') ?? 'stripe'},`.includes(',salesforce,') || value('SALESFORCE_LOGIN_URL')) return {};
  // Salesforce enabled with no org given: the emulator (REST + OAuth, and CDC over the Pub/Sub API).
  const port = value('SALESFORCE_EMULATOR_PORT') ?? '12120';
  const grpcPort = value('SALESFORCE_EMULATOR_GRPC_PORT') ?? '12121';
  const settings = { SALESFORCE_LOGIN_URL: `http://127.0.0.1:${port}`, SALESFORCE_PUBSUB_URL: `127.0.0.1:${grpcPort}`, SALESFORCE_CLIENT_ID: 'local-dev-client', SALESFORCE_CLIENT_SECRET: 'local-dev-secret' };
  const busy = (p) => `port ${p} is taken; stop it, set SALESFORCE_EMULATOR_PORT / SALESFORCE_EMULATOR_GRPC_PORT, or set SALESFORCE_LOGIN_URL to an org`;
  return {
    settings,
    process: {
      name: 'salesforce-emulator', dir: 'tools/salesforce-emulator', entry: 'dist/cli.js', nodeArgs: [], env: {},
      args: ['--port', port, '--grpc-port', grpcPort, '--client-id', settings.SALESFORCE_CLIENT_ID, '--client-secret', settings.SALESFORCE_CLIENT_SECRET],
      ports: [port, grpcPort].map((p) => ({ port: p, busy: busy(p) })),
      note: `SYNC_SYSTEMS has salesforce and no SALESFORCE_LOGIN_URL: using the Salesforce emulator at ${settings.SALESFORCE_LOGIN_URL}`,
    },
  };
}

/**
 * The stack for this environment and local infra: `env` (the settings every process gets on top
 * of the caller's environment), `processes` (emulators first), `idle` (the emulators not needed,
 * and why), `problems` (settings that stop the run), `dotEnv` (the emulators' settings) and a
 * `banner` line.
 */
function devStack(callerEnv = process.env, infra = readEnvFile(path.join(LOCAL, 'infra.env'))) {
  const merged = { ...callerEnv, ...infra };
  const value = (name) => (merged[name] ? merged[name] : undefined);
  const env = { ...infra, NODE_ENV: value('NODE_ENV') ?? 'development', LOG_PRETTY: value('LOG_PRETTY') ?? 'true', KAFKAJS_NO_PARTITIONER_WARNING: '1' };
  const stripe = stripeEmulator(value);
  const salesforce = salesforceEmulator(value);
  const dotEnv = { ...stripe.settings, ...salesforce.settings };
  Object.assign(env, dotEnv);
  const healthPort = (name) => (value(name) ? { HEALTH_PORT: value(name) } : {});
  const app = (name, nodeArgs = [], extra = {}) => ({ name, dir: `apps/${name}`, entry: 'dist/index.js', nodeArgs: ['--enable-source-maps', ...nodeArgs], args: [], env: extra, ports: [] });
  const processes = [
    ...[stripe.process, salesforce.process].filter(Boolean),
    app('api'),
    app('webhook-gateway'),
    app('outbound-worker', ['--max-old-space-size=96', '--max-semi-space-size=16'], healthPort('OUTBOUND_HEALTH_PORT')),
    app('inbound-worker', ['--max-old-space-size=128', '--max-semi-space-size=16'], healthPort('INBOUND_HEALTH_PORT')),
  ];
  const idle = [
    ...(stripe.process ? [] : [{ dir: 'tools/stripe-emulator', why: 'STRIPE_SECRET_KEY is set' }]),
    ...(salesforce.process ? [] : [{ dir: 'tools/salesforce-emulator', why: value('SALESFORCE_LOGIN_URL') ? 'SALESFORCE_LOGIN_URL is set' : 'SYNC_SYSTEMS has no salesforce' }]),
  ];
  const banner =
    `API http://127.0.0.1:${value('API_PORT') ?? '8000'}  webhooks http://127.0.0.1:${value('WEBHOOK_PORT') ?? '8001'}  ` +
    `health :${value('OUTBOUND_HEALTH_PORT') ?? '8002'} (outbound) :${value('INBOUND_HEALTH_PORT') ?? '8003'} (inbound) — Ctrl-C stops all`;
  return { env, processes, idle, problems: [stripe.problem, salesforce.problem].filter(Boolean), dotEnv, banner };
}

function portOpen(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const log = (msg) => process.stderr.write(`\x1b[36m[dev]\x1b[0m ${msg}\n`);
function die(msg) {
  process.stderr.write(`\x1b[31m[dev] ${msg}\x1b[0m\n`);
  process.exit(1);
}

async function prepare(specPath) {
  const stack = devStack();
  if (stack.problems.length) die(stack.problems.join('; '));
  for (const p of stack.processes) for (const { port, busy } of p.ports) if (await portOpen(port)) die(busy);
  for (const p of stack.processes) if (p.note) log(p.note);
  fs.mkdirSync(LOCAL, { recursive: true });
  fs.writeFileSync(path.join(LOCAL, 'dev.env'), Object.entries(stack.dotEnv).map(([k, v]) => `${k}=${v}\n`).join(''));
  if (specPath) {
    const spec = stack.processes.map((p) => ({ name: p.name, cmd: 'node', args: [...p.nodeArgs, path.join(p.dir, p.entry), ...p.args], env: { ...stack.env, ...p.env }, cwd: ROOT }));
    fs.writeFileSync(specPath, `${JSON.stringify(spec, null, 2)}\n`);
  }
  log(stack.banner);
}

module.exports = { devStack, readEnvFile, ROOT };

if (require.main === module) {
  const [command, specPath] = process.argv.slice(2);
  if (command !== 'prepare') die('usage: dev-stack.js prepare [spec.json]');
  prepare(specPath).catch((err) => die(err.message));
}
