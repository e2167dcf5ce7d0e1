import { randomUUID } from 'node:crypto';
import { reconcileReportName, sql, type EntityManager, type MikroORM } from '@cs/domain';
import { adapterOf, type CatalogName, type ExternalCustomer, type ExternalInvoice, type ExternalRecord, type Integration, type ListPage } from '@cs/integrations';
import type { ExternalChangeInput } from '@cs/kafka-schemas';
import type { TokenBucket } from '@cs/platform';
import { writeCursor } from './cursors';
import type { EnqueueChanges } from './enqueue';
import type { InboundFeed } from './inbound-publisher';
import { PageReader } from './page-reader';
import type { Progress } from './progress';

export interface ReconcileOptions {
  orm: MikroORM;
  integration: Integration;
  limiter: TokenBucket;
  progress: Progress;
  repair: boolean;
  /** Needed with repair: missing/unlinked external records are fed through the inbound path. */
  feed?: InboundFeed;
  sampleLimit?: number;
}

/** The external record type a catalog's adapter lists. */
type Listed<C extends CatalogName> = C extends 'invoice' ? ExternalInvoice : ExternalCustomer;

/** What a repair is told: the run, and the rows of a drift kind's query. */
export interface RepairContext<K extends string> {
  system: string;
  objectType: string;
  runId: string;
  now: number;
  rows<R = Record<string, unknown>>(kind: K, extraSelect?: string): Promise<R[]>;
  /**
   * Ours of a drift kind pushed again: their mappings no longer claim the system holds ours (what
   * it holds is no longer what we last sent), and each gets an outbox row.
   */
  pushOurs(kind: K): Promise<void>;
}

/**
 * One catalog's part of a reconciliation: how the records listed there are kept for comparison (the
 * temporary table recon_external), the query of each kind of drift, how a drift row is shown, and
 * the repairs — which only ever enqueue the normal sync messages (outbox rows, inbound changes).
 */
export interface ReconcileSpec<C extends CatalogName, K extends string, D> {
  catalog: C;
  /** Our records' table (live ones: deleted_at is null). */
  table: string;
  /** The column of the drift queries naming our record. */
  idColumn: string;
  /** How a push of ours is queued (outbox rows). */
  enqueue: EnqueueChanges;
  kinds: readonly K[];
  /** recon_external's columns between (external_id, internal_id) and created_ts: name and SQL type. */
  columns: ReadonlyArray<readonly [name: string, type: string]>;
  /** A listed record's values for those columns; null: not compared (deleted there). */
  row(record: Listed<C>): unknown[] | null;
  /** Each takes the system and the object type there as its parameters. */
  queries: Record<K, string>;
  toDrift(kind: K, row: Record<string, unknown>): D;
  /** Enqueues the fixes (pushOurs, in the reconcile's transaction); returns the inbound changes to feed. */
  repair(ctx: RepairContext<K>): Promise<ExternalChangeInput[]>;
}

export interface ReconcileCounts<K extends string, D> {
  id: string;
  system: string;
  started_at: string;
  finished_at: string;
  internal: number;
  external: number;
  drift_count: number;
  by_kind: Record<K, number>;
  drifts: D[];
  repaired: boolean;
}

/**
 * Compares every record of one catalog with the external system without holding either side in
 * memory: the external list is streamed page by page into a temporary table and compared in SQL.
 * One run per (system, catalog) at a time; the report `build` makes of the counts is stored as
 * that catalog's last report.
 */
export async function runReconcile<C extends CatalogName, K extends string, D, R>(
  spec: ReconcileSpec<C, K, D>,
  opts: ReconcileOptions,
  build: (counts: ReconcileCounts<K, D>) => R,
): Promise<R> {
  const { system } = opts.integration;
  const { objectType } = adapterOf(opts.integration, spec.catalog);
  const started = new Date();
  const sample = opts.sampleLimit ?? 1000;
  const params = [system, objectType];
  const lock = spec.catalog === 'customer' ? `reconcile:${system}` : `reconcile:${system}:${spec.catalog}`;

  return opts.orm.em.fork().transactional(async (tx) => {
    const [held] = await sql<{ ok: boolean }>(tx, 'select pg_try_advisory_xact_lock(hashtext(?)) as ok', [lock]);
    if (!held?.ok) throw new Error(`another reconciliation of ${system} ${spec.catalog}s is running`);
    // Fresh statistics first: a reconcile often follows a bulk import, which outruns autovacuum's
    // analyze, and planned on statistics of nearly empty tables the drift queries probed the
    // mappings by (system, object type) — every row of the system — once per record (make bench:
    // 100,000 customers, a statement timeout). Sampling both tables takes well under a second.
    await sql(tx, `analyze ${spec.table}`);
    await sql(tx, 'analyze external_mappings');
    const columns = spec.columns.map(([name, type]) => `${name} ${type}`).join(', ');
    await sql(tx, `create temp table recon_external (external_id text primary key, internal_id integer, ${columns}, created_ts bigint) on commit drop`);
    const external = await streamExternal(tx, spec, opts);

    const count = async (kind: K) => Number((await sql<{ n: string }>(tx, `select count(*) as n from (${spec.queries[kind]}) q`, params))[0]?.n ?? 0);
    // One after another: they share the transaction's one connection (pg refuses concurrent queries on a client).
    const by_kind = {} as Record<K, number>;
    for (const kind of spec.kinds) by_kind[kind] = await count(kind);
    const drifts: D[] = [];
    for (const kind of spec.kinds) {
      if (drifts.length >= sample) break;
      const rows = await sql<Record<string, unknown>>(tx, `${spec.queries[kind]} limit ${sample - drifts.length}`, params);
      drifts.push(...rows.map((r) => spec.toDrift(kind, r)));
    }
    const [internal] = await sql<{ n: string }>(tx, `select count(*) as n from ${spec.table} where deleted_at is null`);

    if (opts.repair) {
      const runId = randomUUID().slice(0, 8);
      const rows = <Row,>(kind: K, extraSelect?: string) =>
        sql<Row & Record<string, unknown>>(tx, extraSelect ? `select q.*, ${extraSelect} from (${spec.queries[kind]}) q join recon_external e on e.external_id = q.external_id` : spec.queries[kind], params);
      const pushOurs = async (kind: K) => {
        const ids = (await rows<Record<string, number>>(kind)).map((r) => Number(r[spec.idColumn]));
        if (ids.length === 0) return;
        await sql(tx, `update external_mappings set last_synced_hash = null, last_synced_state = null where entity_type = ? and external_system = ? and external_object_type = ? and internal_id = any(?::int[])`, [
          spec.catalog,
          ...params,
          `{${ids.join(',')}}`,
        ]);
        for (let i = 0; i < ids.length; i += 500) await spec.enqueue(tx, ids.slice(i, i + 500), { origin: 'internal', traceId: `reconcile:${runId}` }, `reconcile:${runId}`);
      };
      const events = await spec.repair({ system, objectType, runId, now: Math.floor(Date.now() / 1000), rows, pushOurs });
      if (events.length > 0) {
        if (!opts.feed) throw new Error('reconcile --repair needs the inbound feed (Kafka) for external records');
        await opts.feed(events);
      }
    }

    const report = build({
      id: randomUUID(),
      system,
      started_at: started.toISOString(),
      finished_at: new Date().toISOString(),
      internal: Number(internal?.n ?? 0),
      external,
      drift_count: Object.values<number>(by_kind).reduce((a, b) => a + b, 0),
      by_kind,
      drifts,
      repaired: opts.repair,
    });
    await writeCursor(tx, reconcileReportName(system, spec.catalog), report);
    return report;
  });
}

type Lister = { list(cursor: string | null, limit: number): Promise<ListPage<ExternalRecord>> };

async function streamExternal<C extends CatalogName, K extends string, D>(tx: EntityManager, spec: ReconcileSpec<C, K, D>, opts: ReconcileOptions): Promise<number> {
  let total = 0;
  opts.progress.start(null, `reading ${opts.integration.system} ${spec.catalog}s`);
  // Pages are read ahead while the previous ones are inserted: under a rate limit, reading is the bottleneck.
  const adapter: Lister = adapterOf(opts.integration, spec.catalog);
  const pages = new PageReader(adapter, opts.limiter, null, 100, 4, () => opts.integration.holdNonUrgent?.() ?? null);
  const row = `(?, ?::integer, ${spec.columns.map(([, type]) => `?::${type}`).join(', ')}, ?::bigint)`;
  try {
    for (let page = await pages.next(); page !== null; page = await pages.next()) {
      const live = page.items.flatMap((x) => {
        const values = x.deleted ? null : spec.row(x as Listed<C>);
        return values ? [[x.externalId, x.internalId, ...values, x.createdTs]] : [];
      });
      if (live.length > 0) {
        const placeholders = live.map(() => row).join(', ');
        await sql(tx, `insert into recon_external values ${placeholders} on conflict do nothing`, live.flat());
      }
      total += live.length;
      opts.progress.tick(page.items.length);
    }
  } finally {
    pages.stop();
    opts.progress.stop();
  }
  // A temporary table has no statistics until analysed: without them the planner guesses a few
  // rows and may pick nested loops, quadratic at 100,000 records.
  await sql(tx, 'create index on recon_external (internal_id)');
  await sql(tx, 'analyze recon_external');
  return total;
}
