import type { EmulatorOptions } from './options';

export const USAGE = `Usage: salesforce-emulator [options]

  --port <n>                        REST + OAuth port (env SF_EMULATOR_PORT, default 12120; 0 = any free port)
  --grpc-port <n>                   Pub/Sub API gRPC port (env SF_EMULATOR_GRPC_PORT, default 12121)
  --host <addr>                     listen address (env SF_EMULATOR_HOST, default 127.0.0.1)
  --client-id <id>                  accepted OAuth client id (env SF_EMULATOR_CLIENT_ID, default emulator-client-id)
  --client-secret <secret>          accepted OAuth client secret (env SF_EMULATOR_CLIENT_SECRET, default emulator-client-secret)
  --token-ttl-s <n>                 access token lifetime in seconds (env SF_EMULATOR_TOKEN_TTL_S, default 7200)
  --daily-quota <n>                 API requests per day (env SF_EMULATOR_DAILY_QUOTA, default 100000)
  --external-id-field <name>        Account External ID field (env SF_EMULATOR_EXTERNAL_ID_FIELD, default Customer_Sync_Id__c)
  --email-field <name>              Account email field (env SF_EMULATOR_EMAIL_FIELD, default Billing_Email__c)
  --state-country-picklists <bool>  org has state/country picklists (env SF_EMULATOR_STATE_COUNTRY_PICKLISTS, default true)
  --keepalive-ms <n>                idle Subscribe keep-alive interval (env SF_EMULATOR_KEEPALIVE_MS, default 270000)
  --retention-hours <n>             change event retention (env SF_EMULATOR_RETENTION_HOURS, default 72)
  --help                            show this text
`;

export class UsageError extends Error {}

const FLAGS: Record<string, string> = {
  port: 'SF_EMULATOR_PORT',
  'grpc-port': 'SF_EMULATOR_GRPC_PORT',
  host: 'SF_EMULATOR_HOST',
  'client-id': 'SF_EMULATOR_CLIENT_ID',
  'client-secret': 'SF_EMULATOR_CLIENT_SECRET',
  'token-ttl-s': 'SF_EMULATOR_TOKEN_TTL_S',
  'daily-quota': 'SF_EMULATOR_DAILY_QUOTA',
  'external-id-field': 'SF_EMULATOR_EXTERNAL_ID_FIELD',
  'email-field': 'SF_EMULATOR_EMAIL_FIELD',
  'state-country-picklists': 'SF_EMULATOR_STATE_COUNTRY_PICKLISTS',
  'keepalive-ms': 'SF_EMULATOR_KEEPALIVE_MS',
  'retention-hours': 'SF_EMULATOR_RETENTION_HOURS',
};

function collect(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument: ${arg}`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (name === 'help') {
      flags.set(name, 'true');
      continue;
    }
    if (!(name in FLAGS)) throw new UsageError(`unknown option: --${name}`);
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    flags.set(name, value);
  }
  return flags;
}

function integer(flag: string, raw: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) throw new UsageError(`--${flag} must be an integer between ${min} and ${max}, got "${raw}"`);
  return value;
}

// Not z.coerce.boolean: "false" must mean false.
function boolean(flag: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new UsageError(`--${flag} must be true or false, got "${raw}"`);
}

export interface CliConfig {
  help: boolean;
  options: EmulatorOptions;
}

/** Flags win over environment variables, which win over defaults. */
export function parseCliArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CliConfig {
  const flags = collect(argv);
  const get = (flag: string): string | undefined => {
    const fromEnv = env[FLAGS[flag] ?? ''];
    return flags.get(flag) ?? (fromEnv === '' ? undefined : fromEnv);
  };
  const options: EmulatorOptions = {
    port: integer('port', get('port') ?? '12120', 0, 65535),
    grpcPort: integer('grpc-port', get('grpc-port') ?? '12121', 0, 65535),
    host: get('host') ?? '127.0.0.1',
  };
  const text = (flag: string, key: 'clientId' | 'clientSecret' | 'externalIdField' | 'emailField'): void => {
    const v = get(flag);
    if (v !== undefined) options[key] = v;
  };
  text('client-id', 'clientId');
  text('client-secret', 'clientSecret');
  text('external-id-field', 'externalIdField');
  text('email-field', 'emailField');
  const ttl = get('token-ttl-s');
  if (ttl !== undefined) options.tokenTtlSeconds = integer('token-ttl-s', ttl, 1);
  const quota = get('daily-quota');
  if (quota !== undefined) options.dailyQuota = integer('daily-quota', quota, 0);
  const picklists = get('state-country-picklists');
  if (picklists !== undefined) options.stateCountryPicklists = boolean('state-country-picklists', picklists);
  const keepalive = get('keepalive-ms');
  if (keepalive !== undefined) options.keepaliveMs = integer('keepalive-ms', keepalive, 1);
  const retention = get('retention-hours');
  if (retention !== undefined) {
    const hours = Number(retention);
    if (retention.trim() === '' || !Number.isFinite(hours) || hours <= 0) throw new UsageError(`--retention-hours must be a positive number, got "${retention}"`);
    options.retentionMs = Math.max(1, Math.round(hours * 3_600_000));
  }
  return { help: flags.has('help'), options };
}
