import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { startApp, type BenchProcess, type Memory } from './app-process';
import { ROOT } from './paths';

const run = promisify(execFile);

export const TOPIC_PREFIX = 'bench.';
// Any ≥16-character key: production mode refuses to run an open API.
export const API_KEY = 'bench-api-key-0123456789';
export const AUTH = { authorization: `Bearer ${API_KEY}` };

export interface Stack {
  api: BenchProcess;
  /** A connection to the benchmark's own database, for set-up and server-side figures. */
  db: Client;
  database: string;
  brokers: string;
  stop(): Promise<Memory>;
}

/** DATABASE_URL / KAFKA_BROKERS from the environment, else from `make infra-up`'s .local/infra.env. */
export function infraEnv(): { databaseUrl: string; brokers: string } {
  const file = path.join(ROOT, '.local', 'infra.env');
  const fromFile = existsSync(file)
    ? Object.fromEntries(
        readFileSync(file, 'utf8')
          .split('\n')
          .map((l) => /^(\w+)=(.*)$/.exec(l.trim()))
          .filter((m): m is RegExpExecArray => m !== null)
          .map((m) => [m[1], m[2]]),
      )
    : {};
  const databaseUrl = process.env.DATABASE_URL || fromFile.DATABASE_URL;
  const brokers = process.env.KAFKA_BROKERS || fromFile.KAFKA_BROKERS;
  if (!databaseUrl || !brokers) throw new Error('no DATABASE_URL / KAFKA_BROKERS: run `make infra-up` first');
  return { databaseUrl, brokers };
}

const withDatabase = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

/** Drops and re-creates `database` on the local Postgres, empty (no migrations): its URL. */
export async function emptyDatabase(database: string): Promise<string> {
  const { databaseUrl: serverUrl } = infraEnv();
  const admin = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  try {
    // Identifier from our own constants only, never from input: no quoting issue.
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.query(`create database ${database}`);
  } finally {
    await admin.end();
  }
  return withDatabase(serverUrl, database);
}

/**
 * A fresh, migrated database of the benchmark's own (dropped and re-created on every run so
 * that table and index sizes are the same each time), and the topics under `topicPrefix`.
 * Returns its URL and the brokers.
 */
export async function freshDatabase(database: string, topicPrefix = TOPIC_PREFIX): Promise<{ databaseUrl: string; brokers: string }> {
  const { brokers } = infraEnv();
  for (const built of ['apps/api/dist/index.js', 'packages/domain/dist/cli/migrate.js']) {
    if (!existsSync(path.join(ROOT, built))) throw new Error(`${built} is missing: run \`pnpm build\``);
  }
  const databaseUrl = await emptyDatabase(database);
  await run(process.execPath, [path.join(ROOT, 'packages/domain/dist/cli/migrate.js'), 'up'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl } });
  await run(process.execPath, [path.join(ROOT, 'scripts/kafka-topics.js'), brokers, topicPrefix], { cwd: ROOT });
  return { databaseUrl, brokers };
}

/** A fresh database and the API on `port` (relay on), with a client on the database. */
export async function startStack(database: string, port: number): Promise<Stack> {
  const { databaseUrl, brokers } = await freshDatabase(database);
  const api = await startApp('api', { databaseUrl, kafkaBrokers: brokers, topicPrefix: TOPIC_PREFIX, port, env: { API_KEYS: API_KEY } });
  const db = new Client({ connectionString: databaseUrl, application_name: 'bench' });
  await db.connect();
  return {
    api,
    db,
    database,
    brokers,
    stop: async () => {
      await db.end().catch(() => undefined);
      return api.stop();
    },
  };
}

/**
 * Waits until the relay has published every outbox row, so that one phase's backlog does not
 * load the next. A relay that cannot keep up is a finding, not an error: we report what is left.
 */
export async function waitOutboxDrained(db: Client, timeoutMs = 10_000): Promise<{ waitedMs: number; left: number }> {
  const started = Date.now();
  for (;;) {
    const { rows } = await db.query<{ n: string }>('select count(*) as n from outbox where published_at is null');
    const left = Number(rows[0]?.n ?? 0);
    const waitedMs = Date.now() - started;
    if (left === 0 || waitedMs > timeoutMs) return { waitedMs, left };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** BENCH_WORKER_ENV="K=V K2=V2": settings a benchmark passes on to the processes it starts (for trying a setting). */
export function benchWorkerEnv(spec = process.env.BENCH_WORKER_ENV ?? ''): Record<string, string> {
  return Object.fromEntries(
    spec
      .split(/\s+/)
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}
