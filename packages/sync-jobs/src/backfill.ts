import { randomUUID } from 'node:crypto';
import {
  applyExternalChange,
  importBatch,
  isUniqueViolation,
  recordInboundOutcome,
  sql,
  type BatchResult,
  type ImportRecord,
  type MikroORM,
} from '@cs/domain';
import { adapterOf, changeMessage, listedChange, type ExternalCustomer, type Integration } from '@cs/integrations';
import type { ExternalChangeInput } from '@cs/kafka-schemas';
import type { TokenBucket } from '@cs/platform';
import { readCursor, writeCursor } from './cursors';
import { enqueueCustomers, type EnqueueChanges } from './enqueue';
import type { InboundFeed } from './inbound-publisher';
import { PageReader, type Page } from './page-reader';
import type { Progress } from './progress';

export interface ImportOptions {
  orm: MikroORM;
  integration: Integration;
  limiter: TokenBucket;
  progress: Progress;
  /** Records that need a person (email conflicts): handed to the inbound worker, which parks them. */
  review?: InboundFeed;
  /** Records applied one by one at once (links, conflicts; new records go in one statement per page). */
  concurrency?: number;
  pageSize?: number;
  /** Pages read ahead while earlier ones are applied (and, at most, applied at once). */
  readAhead?: number;
  /** Batches applied at once, each in its own transaction. */
  parallel?: number;
  /** Start over instead of resuming from the saved position. */
  restart?: boolean;
}

export interface ImportResult {
  seen: number;
  created: number;
  linked: number;
  unchanged: number;
  conflicts: number;
  resumedFrom: string | null;
}

export interface ImportCursor {
  after: string | null;
  runId: string;
  done: boolean;
}

/**
 * Imports every customer of the external system, page by page (within the rate limit), through
 * the same rules as the inbound worker (link by our id or email, else create). Listing is the
 * bottleneck under a rate limit, so pages are read ahead while earlier ones are applied. The
 * position is saved as batches are applied, so a crash resumes where it stopped; re-applying a
 * page creates nothing twice (each record's application is deduped by a per-run event id).
 */
export async function importCustomers(opts: ImportOptions): Promise<ImportResult> {
  const { orm, integration, progress } = opts;
  const name = `backfill:${integration.system}:import`;
  const saved = opts.restart ? null : await readCursor<ImportCursor>(orm.em.fork(), name);
  const cursor: ImportCursor = saved && !saved.done ? saved : { after: null, runId: randomUUID(), done: false };
  const result: ImportResult = { seen: 0, created: 0, linked: 0, unchanged: 0, conflicts: 0, resumedFrom: saved && !saved.done ? saved.after : null };
  progress.start(null, `import from ${integration.system}`);

  const readAhead = opts.readAhead ?? 8;
  const pages = new PageReader(adapterOf(integration, 'customer'), opts.limiter, cursor.after, opts.pageSize ?? 100, readAhead, () => integration.holdNonUrgent?.() ?? null);
  // Batches are applied on `parallel` connections at once (Postgres is the bottleneck once the
  // reads are ahead), but the saved position only moves past a batch once every batch before it
  // is in: a crash re-applies at most the batches after it, which the dedupe makes harmless.
  const parallel = Math.max(1, opts.parallel ?? 2);
  const finished = new Map<number, { after: string | null; last: boolean }>();
  let nextToSave = 0;
  let saving: Promise<void> = Promise.resolve();
  const saveInOrder = () =>
    (saving = saving.then(async () => {
      let moved = false;
      for (let next = finished.get(nextToSave); next; next = finished.get(nextToSave)) {
        finished.delete(nextToSave++);
        cursor.after = next.after ?? cursor.after;
        cursor.done = next.last;
        moved = true;
      }
      if (moved) await writeCursor(orm.em.fork(), name, cursor);
    }));

  const running = new Set<Promise<void>>();
  let failure: unknown;
  try {
    // When applying falls behind reading, the pages waiting are applied together: one
    // statement and one commit for several pages instead of one each.
    for (let seq = 0; failure === undefined; seq++) {
      while (running.size >= parallel && failure === undefined) await Promise.race(running);
      if (failure !== undefined) break;
      let batch: Page[];
      try {
        batch = await pages.nextPages(readAhead);
      } catch (err) {
        failure = err; // a listing error: the batches already running still finish and save
        break;
      }
      if (batch.length === 0) break;
      const items = batch.flatMap((p) => p.items);
      const job = (async () => {
        await applyBatch(opts, cursor.runId, items.filter((c) => !c.deleted), result);
        result.seen += items.length;
        progress.tick(items.length);
        finished.set(seq, { after: items.at(-1)?.externalId ?? null, last: batch.at(-1)!.nextCursor === null });
        await saveInOrder();
      })().catch((err: unknown) => {
        failure ??= err;
      });
      running.add(job);
      void job.then(() => running.delete(job));
    }
    await Promise.all(running);
    if (failure !== undefined) throw failure;
  } finally {
    pages.stop();
    progress.stop();
  }
  return result;
}

/**
 * Applies one batch of pages: records new to us, records that link to ours by email and records
 * already linked and equal in three statements; the rest (links by our id, conflicts, changed
 * records) one by one through the inbound rules.
 */
async function applyBatch(opts: ImportOptions, runId: string, items: ExternalCustomer[], result: ImportResult): Promise<void> {
  const { orm, integration } = opts;
  const system = integration.system;
  const { objectType } = adapterOf(integration, 'customer');
  const sourceTs = Math.floor(Date.now() / 1000);
  const traceId = `backfill:${runId}`;
  const records: ImportRecord[] = items.map((c) => ({
    externalId: c.externalId,
    eventId: `backfill:${runId}:${c.externalId}`,
    state: { name: c.name, email: c.email, phone: c.phone, address: c.address, internalId: c.internalId, deleted: c.deleted },
  }));
  let bulk: BatchResult = { created: new Map(), unchanged: new Set(), linked: new Map() };
  try {
    bulk = await orm.em.fork().transactional((tx) => importBatch(tx, { system, objectType }, records, { sourceTs, traceId }));
  } catch (err) {
    // Someone (the inbound worker, a person) took one of these emails or records meanwhile:
    // nothing was written; the one-by-one path sorts each record out.
    if (!isUniqueViolation(err)) throw err;
  }
  result.created += bulk.created.size;
  result.unchanged += bulk.unchanged.size;
  result.linked += bulk.linked.size;

  const review: ExternalChangeInput[] = [];
  const byId = new Map(items.map((c) => [c.externalId, c]));
  const done = (id: string) => bulk.created.has(id) || bulk.unchanged.has(id) || bulk.linked.has(id);
  await applyAll(records.filter((r) => !done(r.externalId)), opts.concurrency ?? 8, async (r) => {
    const outcome = await retryRaces(() =>
      orm.em.fork().transactional(async (tx) => {
        const applied = await applyExternalChange(tx, { system, objectType, eventId: r.eventId, kind: 'created', externalId: r.externalId, sourceTs, state: r.state, traceId }, { state: r.state });
        // Re-reading an equal record is not a sync attempt: no audit row (the bulk path writes none either).
        if (applied.status !== 'skipped') {
          await recordInboundOutcome(tx, { system, eventType: 'customer.created', traceId, payload: { event_id: r.eventId, external_id: r.externalId, via: 'backfill' } }, applied);
        }
        return applied;
      }),
    );
    if (outcome.status === 'success') result[outcome.action === 'created' ? 'created' : 'linked']++;
    else if (outcome.status === 'conflict') {
      result.conflicts++;
      if (outcome.park) review.push(reviewEvent(integration, runId, byId.get(r.externalId)!, sourceTs));
    } else result.unchanged++;
  });
  if (review.length > 0) await opts.review?.(review);
}

/**
 * A record that needs a person goes to the inbound worker as the change that would have told us
 * of it (its own event id, so it is not deduped against this import): the worker meets the same
 * conflict and parks it as a dead letter, where operators review every other conflict.
 */
function reviewEvent(integration: Integration, runId: string, customer: ExternalCustomer, created: number): ExternalChangeInput {
  const change = listedChange(adapterOf(integration, 'customer').objectType, 'created', customer, `backfill-review:${runId}:${customer.externalId}`, created);
  return changeMessage(integration.system, change, 'backfill', `backfill:${runId}`);
}

/**
 * Two records of one page racing for one email (or row) lose to each other on a unique index or
 * a deadlock; the transaction rolled back whole, and a second look sees the winner's commit.
 */
export async function retryRaces<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      const code = (err as { code?: string } | null)?.code;
      if (attempt >= attempts || !(isUniqueViolation(err) || code === '40P01' || code === '40001')) throw err;
    }
  }
}

export async function applyAll<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  }));
}

export interface ExportOptions {
  orm: MikroORM;
  /** The system to export to. */
  integration: Integration;
  progress: Progress;
  batchSize?: number;
}

/**
 * Sends every live customer that has no mapping to the system through the normal outbound path:
 * one outbox row each (origin internal), which the relay publishes and the outbound worker pushes.
 */
export function exportCustomers(opts: ExportOptions): Promise<{ queued: number }> {
  return exportUnmapped(opts, {
    entityType: 'customer',
    table: 'customers',
    objectType: adapterOf(opts.integration, 'customer').objectType,
    enqueue: enqueueCustomers,
  });
}

/** What an export needs of a catalog: its table, its records' type there, and how its changes are enqueued. */
export interface ExportSpec {
  entityType: string;
  table: string;
  objectType: string;
  enqueue: EnqueueChanges;
}

/** Every live record of a catalog that has no mapping to the system, as an outbox row each, in batches. */
export async function exportUnmapped(opts: ExportOptions, spec: ExportSpec): Promise<{ queued: number }> {
  const batch = opts.batchSize ?? 500;
  const runId = randomUUID().slice(0, 8);
  let after = 0;
  let queued = 0;
  const system = opts.integration.system;
  const unmapped = `r.deleted_at is null and not exists
       (select 1 from external_mappings m where m.entity_type = ? and m.internal_id = r.id and m.external_system = ? and m.external_object_type = ?)`;
  const params = [spec.entityType, system, spec.objectType];
  const [{ n } = { n: '0' }] = await sql<{ n: string }>(opts.orm.em.fork(), `select count(*) as n from ${spec.table} r where ${unmapped}`, params);
  opts.progress.start(Number(n), `export ${spec.entityType}s to ${system}`);
  for (;;) {
    const done = await opts.orm.em.fork().transactional(async (em) => {
      const ids = await sql<{ id: number }>(em, `select r.id from ${spec.table} r where r.id > ? and ${unmapped} order by r.id limit ?`, [after, ...params, batch]);
      if (ids.length === 0) return true;
      await spec.enqueue(em, ids.map((r) => r.id), { origin: 'internal', traceId: `backfill-export:${runId}` }, `export:${runId}`);
      after = ids.at(-1)!.id;
      queued += ids.length;
      opts.progress.tick(ids.length);
      return false;
    });
    if (done) break;
  }
  opts.progress.stop();
  return { queued };
}
