import { randomUUID } from 'node:crypto';
import { applyExternalChange, enqueueCustomerChange, sql, type Customer, type MikroORM } from '@cs/domain';
import { CustomerSchema } from '@cs/domain';
import type { Integration } from '@cs/integrations';
import type { TokenBucket } from '@cs/platform';
import { readCursor, writeCursor } from './cursors';
import type { Progress } from './progress';

export interface ImportOptions {
  orm: MikroORM;
  integration: Integration;
  limiter: TokenBucket;
  progress: Progress;
  /** Customers applied at once (each in its own transaction). */
  concurrency?: number;
  pageSize?: number;
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

interface ImportCursor {
  after: string | null;
  runId: string;
  done: boolean;
}

/**
 * Imports every customer of the external system, page by page (within the rate limit), through
 * the same rules as the inbound worker (link by our id or email, else create). The position is
 * saved after each page, so a crash resumes where it stopped; re-applying a page creates nothing twice.
 */
export async function importCustomers(opts: ImportOptions): Promise<ImportResult> {
  const { orm, integration, limiter, progress } = opts;
  const name = `backfill:${integration.system}:import`;
  const em = orm.em.fork();
  const saved = opts.restart ? null : await readCursor<ImportCursor>(em, name);
  const cursor: ImportCursor = saved && !saved.done ? saved : { after: null, runId: randomUUID(), done: false };
  const result: ImportResult = { seen: 0, created: 0, linked: 0, unchanged: 0, conflicts: 0, resumedFrom: saved && !saved.done ? saved.after : null };
  progress.start(null, `import from ${integration.system}`);

  let next = pageOf(integration, limiter, cursor.after, opts.pageSize ?? 100);
  for (;;) {
    const page = await next;
    // Fetch the next page while this one is applied: listing is the bottleneck under a rate limit.
    next = page.nextCursor ? pageOf(integration, limiter, page.nextCursor, opts.pageSize ?? 100) : Promise.resolve({ items: [], nextCursor: null });
    await applyAll(page.items.filter((c) => !c.deleted), opts.concurrency ?? 8, async (c) => {
      const outcome = await orm.em.fork().transactional((tx) =>
        applyExternalChange(
          tx,
          { system: integration.system, eventId: `backfill:${cursor.runId}:${c.externalId}`, kind: 'created', externalId: c.externalId, sourceTs: Math.floor(Date.now() / 1000), state: c, traceId: `backfill:${cursor.runId}` },
          async () => c,
        ),
      );
      if (outcome.status === 'success') result[outcome.action === 'created' ? 'created' : 'linked']++;
      else if (outcome.status === 'conflict') result.conflicts++;
      else result.unchanged++;
    });
    result.seen += page.items.length;
    progress.tick(page.items.length);
    cursor.after = page.items.at(-1)?.externalId ?? cursor.after;
    cursor.done = page.nextCursor === null;
    await writeCursor(orm.em.fork(), name, cursor);
    if (cursor.done) break;
  }
  progress.stop();
  return result;
}

async function pageOf(integration: Integration, limiter: TokenBucket, after: string | null, limit: number) {
  await limiter.take();
  return integration.listCustomers(after, limit);
}

async function applyAll<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  }));
}

export interface ExportOptions {
  orm: MikroORM;
  system: string;
  progress: Progress;
  batchSize?: number;
}

/**
 * Sends every live customer that has no mapping to the system through the normal outbound path:
 * one outbox row each (origin internal), which the relay publishes and the outbound worker pushes.
 */
export async function exportCustomers(opts: ExportOptions): Promise<{ queued: number }> {
  const batch = opts.batchSize ?? 500;
  const runId = randomUUID().slice(0, 8);
  let after = 0;
  let queued = 0;
  const [{ n } = { n: '0' }] = await sql<{ n: string }>(
    opts.orm.em.fork(),
    `select count(*) as n from customers c where deleted_at is null and not exists
       (select 1 from external_mappings m where m.internal_customer_id = c.id and m.external_system = ?)`,
    [opts.system],
  );
  opts.progress.start(Number(n), `export to ${opts.system}`);
  for (;;) {
    const done = await opts.orm.em.fork().transactional(async (em) => {
      const ids = await sql<{ id: number }>(
        em,
        `select c.id from customers c where c.deleted_at is null and c.id > ? and not exists
           (select 1 from external_mappings m where m.internal_customer_id = c.id and m.external_system = ?)
         order by c.id limit ?`,
        [after, opts.system, batch],
      );
      if (ids.length === 0) return true;
      const customers: Customer[] = await em.find(CustomerSchema, { id: { $in: ids.map((r) => r.id) } });
      for (const c of customers) enqueueCustomerChange(em, 'customer.updated', c, { origin: 'internal', traceId: `backfill-export:${runId}` }, `export:${runId}`);
      await em.flush();
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

