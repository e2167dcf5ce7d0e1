import os from 'node:os';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { CircuitBreaker, CircuitState, Logger } from '@cs/platform';
import { sql } from '../sql';
import { pgTime } from './pg-time';

/**
 * The workers' circuit breakers as the API and its console see them. The API never calls the
 * systems, so each worker process keeps its breakers' state in sync_cursors, one row per system
 * and process (`circuit:<system>:<service>@<host>:<pid>`), written on every change and every
 * REPORT_MS. A row not refreshed for STALE_MS is a process that is gone (killed: a stopped one
 * deletes its rows) and is not shown; rows an hour old are deleted by the next report.
 */
const REPORT_MS = 10_000;
const STALE_MS = 3 * REPORT_MS;

export interface CircuitReport {
  system: string;
  service: string;
  instance: string;
  state: CircuitState;
  since: string;
  failures: number;
  last_failure: string | null;
  next_probe_at: string | null;
  reported_at: string;
}

export interface SystemCircuit {
  system: string;
  /** The worst state any live worker reports; `unknown` when none reports it. */
  state: CircuitState | 'unknown';
  reports: CircuitReport[];
}

const SEVERITY: Record<SystemCircuit['state'], number> = { unknown: 0, closed: 1, 'half-open': 2, open: 3 };

/** Writes this process's breakers now, on each change, and every REPORT_MS; `stop` deletes its rows. */
export function reportCircuits(orm: MikroORM, service: string, breakers: ReadonlyMap<string, CircuitBreaker>, logger: Logger) {
  const instance = `${service}@${os.hostname()}:${process.pid}`;
  let chain = Promise.resolve(); // one write at a time, so an older state never lands after a newer one
  let failing = false;
  const run = (what: string, statement: (em: EntityManager) => Promise<unknown>) => {
    chain = chain
      .then(async () => {
        await statement(orm.em.fork());
        failing = false;
      })
      .catch((err: unknown) => {
        // The database may be down too: the next change or heartbeat writes the state again.
        if (!failing) logger.warn({ err, what }, 'could not store the circuit state');
        failing = true;
      });
  };
  const write = (breaker: CircuitBreaker) => {
    const s = breaker.snapshot();
    const value = { system: breaker.system, service, instance, state: s.state, since: s.since.toISOString(), failures: s.failures, last_failure: s.lastFailure, next_probe_at: s.nextProbeAt?.toISOString() ?? null };
    run(breaker.system, (em) =>
      sql(em, `insert into sync_cursors (name, value, updated_at) values (?, ?::jsonb, now()) on conflict (name) do update set value = excluded.value, updated_at = now()`, [
        `circuit:${breaker.system}:${instance}`,
        JSON.stringify(value),
      ]),
    );
  };
  const heartbeat = () => {
    for (const breaker of breakers.values()) write(breaker);
    run('prune', (em) => sql(em, `delete from sync_cursors where name like 'circuit:%' and updated_at < now() - interval '1 hour'`));
  };
  for (const breaker of breakers.values()) breaker.onChange(() => write(breaker));
  heartbeat();
  const timer = setInterval(heartbeat, REPORT_MS).unref();
  return {
    async stop(): Promise<void> {
      clearInterval(timer);
      await chain;
      await sql(orm.em.fork(), `delete from sync_cursors where name like 'circuit:%' and value->>'instance' = ?`, [instance]).catch(() => undefined);
    },
  };
}

/** Every system's circuit as the live workers report it: `systems` (the enabled ones) always, plus any other reported. */
export async function systemCircuits(em: EntityManager, systems: readonly string[]): Promise<SystemCircuit[]> {
  const rows = await sql<{ value: Omit<CircuitReport, 'reported_at'>; updated_at: string }>(
    em,
    `select value, updated_at from sync_cursors where name like 'circuit:%' and updated_at > now() - make_interval(secs => ?) order by name`,
    [STALE_MS / 1000],
  );
  const bySystem = new Map<string, CircuitReport[]>(systems.map((s) => [s, []]));
  for (const row of rows) {
    const report = { ...row.value, reported_at: pgTime(row.updated_at).toISOString() };
    bySystem.set(report.system, [...(bySystem.get(report.system) ?? []), report]);
  }
  return [...bySystem].map(([system, reports]) => ({
    system,
    state: reports.reduce<SystemCircuit['state']>((worst, r) => (SEVERITY[r.state] > SEVERITY[worst] ? r.state : worst), 'unknown'),
    reports,
  }));
}
