import { randomUUID } from 'node:crypto';
import {
  applyInvoiceChange,
  applyOutsideLocks,
  applyWithCustomer,
  importExternalCustomer,
  recordInboundOutcome,
  type ExternalChange,
  type ExternalInvoiceState,
  type InboundOutcome,
} from '@cs/domain';
import { adapterOf, changeMessage, listedChange, type ExternalInvoice } from '@cs/integrations';
import type { ExternalChangeInput } from '@cs/kafka-schemas';
import { applyAll, exportUnmapped, retryRaces, type ExportOptions, type ImportCursor, type ImportOptions } from './backfill';
import { enqueueInvoices } from './enqueue';
import { readCursor, writeCursor } from './cursors';
import { PageReader } from './page-reader';

export interface InvoiceImportResult {
  seen: number;
  /** Made there, now ours (their customer linked or imported first where needed). */
  created: number;
  /** Ours, found there by our id (a lost mapping). */
  linked: number;
  /** Already linked: their status, number or payments taken forward. */
  updated: number;
  unchanged: number;
  /** Not imported, each with its reason in sync_events (e.g. a customer that could not be linked). */
  skipped: number;
  /** Invoices our rules cannot hold: handed to the inbound worker, which parks them for review. */
  conflicts: number;
  resumedFrom: string | null;
}

/**
 * Imports every invoice of the external system, page by page (within the rate limit), through the
 * inbound invoice rules, one by one — as its invoice.created event would be: ours found by our id
 * are linked, those made there are imported (their customer linked or imported first), the status
 * only ever moves forward. Resumable like the customer import; re-applying a page imports nothing
 * twice (each record's application is deduped by a per-run event id). Run it after the customers'.
 */
export async function importInvoices(opts: ImportOptions): Promise<InvoiceImportResult> {
  const { orm, integration, progress } = opts;
  const system = integration.system;
  const adapter = adapterOf(integration, 'invoice');
  const customers = integration.catalogs.customer;
  const name = `backfill:${system}:invoice:import`;
  const saved = opts.restart ? null : await readCursor<ImportCursor>(orm.em.fork(), name);
  const cursor: ImportCursor = saved && !saved.done ? saved : { after: null, runId: randomUUID(), done: false };
  const result: InvoiceImportResult = { seen: 0, created: 0, linked: 0, updated: 0, unchanged: 0, skipped: 0, conflicts: 0, resumedFrom: saved && !saved.done ? saved.after : null };
  const traceId = `backfill:${cursor.runId}`;
  progress.start(null, `import invoices from ${system}`);

  const apply = async (x: ExternalInvoice): Promise<InboundOutcome> => {
    const { externalId: _where, createdTs: _made, ...state } = x;
    const sourceTs = Math.floor(Date.now() / 1000);
    const eventId = `backfill:${cursor.runId}:${x.externalId}`;
    const change: ExternalChange<ExternalInvoiceState> = { system, objectType: adapter.objectType, eventId, kind: x.deleted ? 'deleted' : 'created', externalId: x.externalId, sourceTs, state: x.deleted ? null : state, traceId };
    const meta = { system, entityType: 'invoice', eventType: 'invoice.created', traceId, payload: { event_id: eventId, external_id: x.externalId, via: 'backfill' } };
    // The record was just listed with every line: it is the current state, no read needed.
    const once = (linkCustomer: boolean) =>
      retryRaces(() =>
        applyOutsideLocks(orm, () => Promise.resolve(change.state), async (tx, current) => {
          const outcome = await applyInvoiceChange(tx, change, current ?? { state: change.state }, { linkCustomer });
          // Re-reading an equal record is not a sync attempt: no audit row.
          if (!(outcome.status === 'skipped' && outcome.reason === 'already equal')) await recordInboundOutcome(tx, meta, outcome);
          return outcome;
        }),
      );
    if (!customers) return once(false);
    return applyWithCustomer(once, (customer) =>
      importExternalCustomer(orm, { system, adapter: customers, externalId: customer, eventId: `${eventId}:customer`, traceId, via: 'backfill' }),
    );
  };

  const pages = new PageReader(adapter, opts.limiter, cursor.after, opts.pageSize ?? 100, opts.readAhead ?? 4, () => integration.holdNonUrgent?.() ?? null);
  try {
    for (let page = await pages.next(); page !== null; page = await pages.next()) {
      const review: ExternalChangeInput[] = [];
      await applyAll(page.items, opts.concurrency ?? 8, async (x) => {
        const outcome = await apply(x);
        if (outcome.status === 'success') result[outcome.action === 'created' ? 'created' : outcome.action === 'linked' ? 'linked' : 'updated']++;
        else if (outcome.status === 'conflict') {
          result.conflicts++;
          if (outcome.park) review.push(changeMessage(system, listedChange(adapter.objectType, 'created', x, `backfill-review:${cursor.runId}:${x.externalId}`, Math.floor(Date.now() / 1000), 'invoice'), 'backfill', traceId));
        } else if (outcome.reason === 'already equal' || outcome.reason === 'duplicate event') result.unchanged++;
        else result.skipped++;
      });
      if (review.length > 0) await opts.review?.(review);
      result.seen += page.items.length;
      progress.tick(page.items.length);
      cursor.after = page.items.at(-1)?.externalId ?? cursor.after;
      cursor.done = page.nextCursor === null;
      await writeCursor(orm.em.fork(), name, cursor);
    }
  } finally {
    pages.stop();
    progress.stop();
  }
  return result;
}

/**
 * Sends every live invoice that has no mapping to the system through the normal outbound path
 * (one outbox row each; an invoice whose customer is not there yet waits for it, as always).
 */
export function exportInvoices(opts: ExportOptions): Promise<{ queued: number }> {
  return exportUnmapped(opts, {
    entityType: 'invoice',
    table: 'invoices',
    objectType: adapterOf(opts.integration, 'invoice').objectType,
    enqueue: enqueueInvoices,
  });
}
