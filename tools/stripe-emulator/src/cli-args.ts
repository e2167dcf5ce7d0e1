import type { EmulatorOptions } from './options';
import type { FaultSettings } from './faults/settings';

export const USAGE = `Usage: stripe-emulator [options]

  --port <n>                  listen port (env EMULATOR_PORT, default 12111; 0 = any free port)
  --host <addr>               listen address (default 127.0.0.1)
  --webhook-url <url>         register a webhook endpoint at start (env EMULATOR_WEBHOOK_URL)
  --webhook-secret <secret>   its signing secret (env EMULATOR_WEBHOOK_SECRET)
  --rate-limit <req/s>        token-bucket limit on /v1 requests, 0 = none
  --error-rate <0..1>         share of /v1 requests answered 500
  --latency-ms <n>            delay added to every /v1 response
  --duplicate-webhooks <0..1> share of webhook deliveries sent twice
  --reorder-webhooks          hold deliveries 0-300 ms so events can arrive out of order
  --help                      show this text
`;

export class UsageError extends Error {}

const VALUE_FLAGS = new Set(['port', 'host', 'webhook-url', 'webhook-secret', 'rate-limit', 'error-rate', 'latency-ms', 'duplicate-webhooks']);
const BOOLEAN_FLAGS = new Set(['reorder-webhooks', 'help']);

function number(flag: string, raw: string, min: number, max = Number.POSITIVE_INFINITY): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`--${flag} must be a number${max === Number.POSITIVE_INFINITY ? ` >= ${min}` : ` between ${min} and ${max}`}, got "${raw}"`);
  }
  return value;
}

function collect(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument: ${arg}`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (BOOLEAN_FLAGS.has(name)) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      flags.set(name, 'true');
    } else if (VALUE_FLAGS.has(name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    } else {
      throw new UsageError(`unknown option: --${name}`);
    }
  }
  return flags;
}

export interface CliConfig {
  help: boolean;
  options: EmulatorOptions;
}

/** Flags win over environment variables, which win over defaults. */
export function parseCliArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CliConfig {
  const flags = collect(argv);
  const port = number('port', flags.get('port') ?? env['EMULATOR_PORT'] ?? '12111', 0, 65535);
  if (!Number.isInteger(port)) throw new UsageError('--port must be an integer');
  const options: EmulatorOptions = { port, host: flags.get('host') ?? env['EMULATOR_HOST'] ?? '127.0.0.1' };

  const webhookUrl = flags.get('webhook-url') ?? env['EMULATOR_WEBHOOK_URL'];
  const webhookSecret = flags.get('webhook-secret') ?? env['EMULATOR_WEBHOOK_SECRET'];
  if (webhookUrl !== undefined && webhookUrl !== '') {
    // A generated secret would have to be printed somewhere; asking for it keeps logs one line.
    if (webhookSecret === undefined || webhookSecret === '') throw new UsageError('--webhook-url needs --webhook-secret (or EMULATOR_WEBHOOK_SECRET)');
    options.webhookEndpoints = [{ url: webhookUrl, secret: webhookSecret }];
  }

  const faults: Partial<FaultSettings> = {};
  const rate = flags.get('rate-limit');
  if (rate !== undefined) faults.rate_limit_rps = number('rate-limit', rate, 0);
  const errorRate = flags.get('error-rate');
  if (errorRate !== undefined) faults.error_rate = number('error-rate', errorRate, 0, 1);
  const latency = flags.get('latency-ms');
  if (latency !== undefined) faults.latency_ms = number('latency-ms', latency, 0);
  const duplicate = flags.get('duplicate-webhooks');
  if (duplicate !== undefined) faults.duplicate_webhooks = number('duplicate-webhooks', duplicate, 0, 1);
  if (flags.has('reorder-webhooks')) faults.reorder_webhooks = true;
  if (Object.keys(faults).length > 0) options.faults = faults;

  return { help: flags.has('help'), options };
}
