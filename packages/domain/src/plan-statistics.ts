/** A pg connection as knex hands it out: what the gate needs to ask. */
export interface QueryConnection {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * Whether Postgres has column statistics for each of a statement's tables: the condition for
 * keeping its plan. A named prepared statement is planned generically once (after five custom
 * plans) and the plan is kept until an ANALYZE of one of its tables. Planned before the first
 * ANALYZE — a fresh database, until autovacuum gets round to it (up to a minute and more) — the
 * planner knows no column's distinct values, and kept, that plan outlives the table's growth:
 * in the webhook benchmark the lock statement took 598 ms for a wave of 100 against 20,500
 * unanalyzed mappings (a probe by `external_system` alone, filtering every mapping, for each
 * event), 7–9 ms planned for each wave. So until every table has statistics the statement is sent
 * unnamed (planned for each wave, on the tables' current size); once they all have, named.
 * Checked at most every `recheckMs` until then, never after: statistics, once there, stay, and
 * autovacuum's later ANALYZEs replace the kept plans as the tables grow.
 */
export class StatisticsGate {
  private ready = false;
  private checkedAt = -Infinity;

  constructor(
    private readonly tables: readonly string[],
    private readonly recheckMs = 5_000,
  ) {}

  async allowsCachedPlan(connection: QueryConnection): Promise<boolean> {
    if (this.ready) return true;
    const now = Date.now();
    if (now - this.checkedAt < this.recheckMs) return false;
    this.checkedAt = now;
    const { rows } = await connection.query({
      text: 'select count(distinct tablename)::int as n from pg_stats where schemaname = current_schema() and tablename = any($1)',
      values: [this.tables],
    });
    this.ready = (rows[0] as { n: number }).n === this.tables.length;
    return this.ready;
  }
}
