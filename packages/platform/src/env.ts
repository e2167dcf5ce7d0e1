import { z } from 'zod';

/**
 * Parses the process environment once at start. On failure it throws EnvError whose message has
 * one line per bad or missing variable; `loadEnv` prints those lines and exits non-zero.
 */
export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'EnvError';
  }
}

export function parseEnv<S extends z.ZodObject>(schema: S, source: NodeJS.ProcessEnv = process.env): z.infer<S> {
  // Empty strings mean "unset", as in most shells' `FOO= cmd`.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(env)';
    const missing = issue.code === 'invalid_type' && cleaned[name] === undefined;
    return missing ? `${name}: required but not set` : `${name}: ${issue.message}`;
  });
  throw new EnvError(problems);
}

export function loadEnv<S extends z.ZodObject>(schema: S, source: NodeJS.ProcessEnv = process.env): z.infer<S> {
  return loadConfig(() => parseEnv(schema, source))[0];
}

/**
 * Runs each loader (an app's env, its connectors' env…); if any finds bad or missing variables,
 * prints every problem of all of them, one line each, and exits 78, so a person fixes them all at once.
 */
export function loadConfig<T extends unknown[]>(...loaders: { [K in keyof T]: () => T[K] }): T {
  const problems: string[] = [];
  const results = loaders.map((load) => {
    try {
      return load();
    } catch (err) {
      if (!(err instanceof EnvError)) throw err;
      problems.push(...err.problems);
      return undefined;
    }
  });
  if (problems.length === 0) return results as T;
  for (const line of problems) process.stderr.write(`invalid environment: ${line}\n`);
  process.exit(78); // EX_CONFIG
}

/** `z.coerce.boolean()` turns "false" into true; this accepts only the usual spellings. */
export const booleanFlag = (fallback: boolean) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { error: 'expected true/false, 1/0, yes/no or on/off' }))
    .transform((v) => ['true', '1', 'yes', 'on'].includes(v))
    .default(fallback);

export const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

export const postgresUrl = z
  .string()
  .refine((v) => /^postgres(ql)?:\/\/[^\s]+$/.test(v) && URL.canParse(v), 'expected a postgres://user@host:port/db URL');

export const brokerList = z
  .string()
  .transform((v) => v.split(',').map((b) => b.trim()).filter(Boolean))
  .refine((list) => list.length > 0 && list.every((b) => /^[\w.-]+:\d{1,5}$/.test(b)), 'expected a comma list of host:port');

export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

export const nodeEnv = z.enum(['development', 'test', 'production']).default('development');

/** The variables every app reads. Apps extend this with their own. */
export const baseEnv = z.object({
  NODE_ENV: nodeEnv,
  LOG_LEVEL: logLevel,
  LOG_PRETTY: booleanFlag(false),
  METRICS: booleanFlag(true),
  SERVICE_VERSION: z.string().default('1.0.0'),
  /** 127.0.0.1 for local runs; containers set 0.0.0.0. */
  HOST: z.string().default('127.0.0.1'),
});

export const databaseEnv = z.object({
  DATABASE_URL: postgresUrl,
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
});

export const kafkaEnv = z.object({
  KAFKA_BROKERS: brokerList,
  /** Prefix of every client id (and of consumer group ids), so deployments can tell theirs apart. */
  KAFKA_CLIENT_ID: z.string().regex(/^[\w.-]{1,100}$/, 'letters, digits, ".", "_" or "-" only').default('customer-sync'),
  /** Prefix of every topic name; empty in production, set per test worker. */
  KAFKA_TOPIC_PREFIX: z.string().regex(/^[\w.-]{0,50}$/, 'letters, digits, ".", "_" or "-" only').default(''),
});

/** The circuit breakers of the workers (one per external system per process; docs/operations.md). */
export const circuitEnv = z.object({
  /** System failures in a row (outage, 5xx, 429, refused credentials) that open a system's circuit. */
  CIRCUIT_FAILURE_THRESHOLD: z.coerce.number().int().min(1).max(1000).default(5),
  /** A failure this long after the previous one starts the count again. */
  CIRCUIT_WINDOW_MS: z.coerce.number().int().min(1000).max(86_400_000).default(300_000),
  /** How long an open circuit waits before one probe (the system's ping) tests it again. */
  CIRCUIT_COOLDOWN_MS: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
});

/** The circuit settings of a parsed env. */
export const circuitSettings = (env: z.infer<typeof circuitEnv>) => ({
  failureThreshold: env.CIRCUIT_FAILURE_THRESHOLD,
  windowMs: env.CIRCUIT_WINDOW_MS,
  coolDownMs: env.CIRCUIT_COOLDOWN_MS,
});
