import { randomUUID } from 'node:crypto';
import { enqueueCustomerChange, sql, type Address, type EntityManager, type MikroORM } from '@cs/domain';
import { CustomerSchema } from '@cs/domain';
import { adapterOf, changeMessage, listedChange, type Integration } from '@cs/integrations';
import type { TokenBucket } from '@cs/platform';
import { writeCursor } from './cursors';
import type { InboundFeed } from './inbound-publisher';
import { PageReader } from './page-reader';
import type { Progress } from './progress';

export type DriftKind =
  | 'missing_in_external' // ours is live and unlinked, or linked to nothing they have
  | 'missing_internally' // theirs is live and nothing of ours is linked to it
  | 'unlinked_internal_id' // theirs carries our id but no mapping records it
  | 'stale_mapping' // our mapping points at a record they deleted (or never had)
  | 'field_mismatch'; // linked, but name, email, phone or address differ

export interface DriftSide {
  name: string;
  email: string;
  phone: string | null;
  address: Address | null;
}

export interface Drift {
  kind: DriftKind;
  customer_id: number | null;
  external_id: string | null;
  ours?: DriftSide | undefined;
  theirs?: DriftSide | undefined;
}

export interface ReconcileReport {
  id: string;
  system: string;
  started_at: string;
  finished_at: string;
  internal_customers: number;
  external_customers: number;
  drift_count: number;
  by_kind: Record<DriftKind, number>;
  /** The first `sampleLimit` drifts (the counts above are complete). */
  drifts: Drift[];
  repaired: boolean;
}

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

const KINDS: DriftKind[] = ['missing_in_external', 'missing_internally', 'unlinked_internal_id', 'stale_mapping', 'field_mismatch'];

/**
 * Compares every internal customer with the external system without holding either side in
 * memory: the external list is streamed page by page into a temporary table and compared in SQL.
 * Repairs only enqueue the normal sync messages (outbox rows, inbound events); the workers do the work.
 */
export async function reconcile(opts: ReconcileOptions): Promise<ReconcileReport> {
  const { orm, integration } = opts;
  const { system } = integration;
  const { objectType } = adapterOf(integration, 'customer');
  const started = new Date();
  const sample = opts.sampleLimit ?? 1000;
  const em = orm.em.fork();

  return em.transactional(async (tx) => {
    const [lock] = await sql<{ ok: boolean }>(tx, 'select pg_try_advisory_xact_lock(hashtext(?)) as ok', [`reconcile:${system}`]);
    if (!lock?.ok) throw new Error(`another reconciliation of ${system} is running`);
    // Fresh statistics first: a reconcile often follows a bulk import, which outruns autovacuum's
    // analyze, and planned on statistics of nearly empty tables the drift queries probed the
    // mappings by (system, object type) — every row of the system — once per customer (make bench:
    // 100,000 customers, a statement timeout). Sampling both tables takes well under a second.
    await sql(tx, 'analyze customers');
    await sql(tx, 'analyze external_mappings');
    await sql(tx, `create temp table recon_external (external_id text primary key, internal_id integer, name text, email text, phone text, address jsonb, created_ts bigint) on commit drop`);
    const external = await streamExternal(tx, opts);

    const count = async (kind: DriftKind) => Number((await sql<{ n: string }>(tx, `select count(*) as n from (${QUERIES[kind]}) q`, [system, objectType]))[0]?.n ?? 0);
    // One after another: they share the transaction's one connection (pg refuses concurrent queries on a client).
    const by_kind = {} as Record<DriftKind, number>;
    for (const kind of KINDS) by_kind[kind] = await count(kind);
    const drifts: Drift[] = [];
    for (const kind of KINDS) {
      if (drifts.length >= sample) break;
      const rows = await sql<RawDrift>(tx, `${QUERIES[kind]} limit ${sample - drifts.length}`, [system, objectType]);
      drifts.push(...rows.map((r) => toDrift(kind, r)));
    }
    const [internal] = await sql<{ n: string }>(tx, 'select count(*) as n from customers where deleted_at is null');

    if (opts.repair) await repairAll(tx, opts);

    const report: ReconcileReport = {
      id: randomUUID(),
      system,
      started_at: started.toISOString(),
      finished_at: new Date().toISOString(),
      internal_customers: Number(internal?.n ?? 0),
      external_customers: external,
      drift_count: Object.values(by_kind).reduce((a, b) => a + b, 0),
      by_kind,
      drifts,
      repaired: opts.repair,
    };
    await writeCursor(tx, `reconcile:${system}:last_report`, report);
    return report;
  });
}

async function streamExternal(tx: EntityManager, opts: ReconcileOptions): Promise<number> {
  let total = 0;
  opts.progress.start(null, `reading ${opts.integration.system} customers`);
  // Pages are read ahead while the previous ones are inserted: under a rate limit, reading is the bottleneck.
  const pages = new PageReader(adapterOf(opts.integration, 'customer'), opts.limiter, null, 100, 4, () => opts.integration.holdNonUrgent?.() ?? null);
  try {
    for (let page = await pages.next(); page !== null; page = await pages.next()) {
      const live = page.items.filter((c) => !c.deleted);
      if (live.length > 0) {
        const values = live.map(() => '(?, ?, ?, ?, ?, ?::jsonb, ?)').join(', ');
        const row = (c: (typeof live)[number]) => [c.externalId, c.internalId, c.name, c.email, c.phone, c.address ? JSON.stringify(c.address) : null, c.createdTs];
        await sql(tx, `insert into recon_external values ${values} on conflict do nothing`, live.flatMap(row));
      }
      total += live.length;
      opts.progress.tick(page.items.length);
    }
  } finally {
    pages.stop();
    opts.progress.stop();
  }
  // A temporary table has no statistics until analysed: without them the planner guesses a few
  // rows and may pick nested loops, quadratic at 100,000 customers.
  await sql(tx, 'create index on recon_external (internal_id)');
  await sql(tx, 'analyze recon_external');
  return total;
}

interface RawDrift {
  customer_id: number | null;
  external_id: string | null;
  our_name: string | null;
  our_email: string | null;
  our_phone: string | null;
  our_address: Address | null;
  their_name: string | null;
  their_email: string | null;
  their_phone: string | null;
  their_address: Address | null;
}

function toDrift(kind: DriftKind, r: RawDrift): Drift {
  return {
    kind,
    customer_id: r.customer_id,
    external_id: r.external_id,
    ours: r.our_email !== null ? { name: r.our_name ?? '', email: r.our_email, phone: r.our_phone, address: r.our_address } : undefined,
    theirs: r.their_email !== null ? { name: r.their_name ?? '', email: r.their_email, phone: r.their_phone, address: r.their_address } : undefined,
  };
}

// Each takes the system and the object type there as its parameters and returns RawDrift columns.
const QUERIES: Record<DriftKind, string> = {
  missing_in_external: `
    select c.id as customer_id, null::text as external_id, c.name as our_name, c.email as our_email, c.phone as our_phone, c.address as our_address, null::text as their_name, null::text as their_email, null::text as their_phone, null::jsonb as their_address
      from customers c
     where c.deleted_at is null
       and not exists (select 1 from external_mappings m where m.internal_id = c.id and m.external_system = ? and m.external_object_type = ? and m.entity_type = 'customer')
       and not exists (select 1 from recon_external e where e.internal_id = c.id)`,
  missing_internally: `
    select null::integer as customer_id, e.external_id, null::text as our_name, null::text as our_email, null::text as our_phone, null::jsonb as our_address, e.name as their_name, e.email as their_email, e.phone as their_phone, e.address as their_address
      from recon_external e
     where not exists (select 1 from external_mappings m where m.external_id = e.external_id and m.external_system = ? and m.external_object_type = ? and m.entity_type = 'customer')
       and (e.internal_id is null or not exists (select 1 from customers c where c.id = e.internal_id and c.deleted_at is null))`,
  unlinked_internal_id: `
    select c.id as customer_id, e.external_id, c.name as our_name, c.email as our_email, c.phone as our_phone, c.address as our_address, e.name as their_name, e.email as their_email, e.phone as their_phone, e.address as their_address
      from recon_external e join customers c on c.id = e.internal_id and c.deleted_at is null
     where not exists (select 1 from external_mappings m where m.external_id = e.external_id and m.external_system = ? and m.external_object_type = ? and m.entity_type = 'customer')`,
  stale_mapping: `
    select m.internal_id as customer_id, m.external_id, c.name as our_name, c.email as our_email, c.phone as our_phone, c.address as our_address, null::text as their_name, null::text as their_email, null::text as their_phone, null::jsonb as their_address
      from external_mappings m join customers c on c.id = m.internal_id and c.deleted_at is null
     where m.external_system = ? and m.external_object_type = ? and m.entity_type = 'customer' and not exists (select 1 from recon_external e where e.external_id = m.external_id)`,
  field_mismatch: `
    select c.id as customer_id, e.external_id, c.name as our_name, c.email as our_email, c.phone as our_phone, c.address as our_address, e.name as their_name, e.email as their_email, e.phone as their_phone, e.address as their_address
      from external_mappings m
      join customers c on c.id = m.internal_id and c.deleted_at is null
      join recon_external e on e.external_id = m.external_id
     where m.external_system = ? and m.external_object_type = ? and m.entity_type = 'customer' 
       and (c.name is distinct from e.name or c.email is distinct from lower(e.email)
            or c.phone is distinct from e.phone or c.address is distinct from e.address)`,
};

/**
 * The repair for each kind, always through the normal paths (docs/sync-rules.md):
 * - ours missing there, or fields differ → push ours (outbox row; the mapping's "what they hold"
 *   hash is cleared first, since what they hold is no longer what we last sent);
 * - theirs missing here, or carrying our id unlinked → their record as an inbound event
 *   (the inbound rules link it by our id or email, or create it);
 * - our mapping points at a record they deleted → an inbound delete (as if its webhook had come).
 */
async function repairAll(tx: EntityManager, opts: ReconcileOptions): Promise<void> {
  const { system } = opts.integration;
  const { objectType } = adapterOf(opts.integration, 'customer');
  const runId = randomUUID().slice(0, 8);
  const push = async (kind: DriftKind) => {
    const rows = await sql<RawDrift>(tx, QUERIES[kind], [system, objectType]);
    if (rows.length === 0) return;
    const ids = rows.map((r) => r.customer_id!);
    await sql(tx, `update external_mappings set last_synced_hash = null, last_synced_state = null where entity_type = 'customer' and external_system = ? and external_object_type = ? and internal_id = any(?::int[])`, [system, objectType, `{${ids.join(',')}}`]);
    for (let i = 0; i < ids.length; i += 500) {
      const customers = await tx.find(CustomerSchema, { id: { $in: ids.slice(i, i + 500) } });
      for (const c of customers) enqueueCustomerChange(tx, 'customer.updated', c, { origin: 'internal', traceId: `reconcile:${runId}` }, `reconcile:${runId}`);
      await tx.flush();
    }
  };
  await push('missing_in_external');
  await push('field_mismatch');

  const events: Parameters<InboundFeed>[0] = [];
  const now = Math.floor(Date.now() / 1000);
  for (const kind of ['missing_internally', 'unlinked_internal_id'] as const) {
    const rows = await sql<RawDrift & { internal_id: number | null }>(
      tx,
      `select q.*, e.internal_id, e.created_ts from (${QUERIES[kind]}) q join recon_external e on e.external_id = q.external_id`,
      [system, objectType],
    );
    for (const r of rows) {
      const customer = { externalId: r.external_id!, internalId: r.internal_id, name: r.their_name ?? '', email: r.their_email ?? '', phone: r.their_phone, address: r.their_address, deleted: false, createdTs: now };
      const id = `reconcile_${runId}_${r.external_id}`;
      events.push(changeMessage(system, listedChange(objectType, 'created', customer, id, now), 'backfill', `reconcile:${runId}`));
    }
  }
  const stale = await sql<RawDrift>(tx, QUERIES.stale_mapping, [system, objectType]);
  for (const r of stale) {
    const id = `reconcile_${runId}_${r.external_id}_deleted`;
    const customer = { externalId: r.external_id!, internalId: r.customer_id, name: '', email: '', phone: null, address: null, deleted: true, createdTs: now };
    events.push(changeMessage(system, listedChange(objectType, 'deleted', customer, id, now), 'backfill', `reconcile:${runId}`));
  }
  if (events.length > 0) {
    if (!opts.feed) throw new Error('reconcile --repair needs the inbound feed (Kafka) for external records');
    await opts.feed(events);
  }
}
