import { changeMessage, deletedInvoice, listedChange, type ExternalInvoice } from '@cs/integrations';
import type { ExternalChangeInput } from '@cs/kafka-schemas';
import { enqueueInvoices } from './enqueue';
import type { DriftKind } from './reconcile';
import { runReconcile, type ReconcileOptions, type ReconcileSpec } from './reconcile-engine';

/** What an invoice holds on one side, as far as a reconciliation compares it. */
export interface InvoiceDriftSide {
  status: string;
  currency: string;
  amount_due: number;
  amount_paid: number;
  number: string | null;
}

export interface InvoiceDrift {
  kind: DriftKind;
  invoice_id: number | null;
  external_id: string | null;
  ours?: InvoiceDriftSide | undefined;
  theirs?: InvoiceDriftSide | undefined;
}

export interface InvoiceReconcileReport {
  id: string;
  system: string;
  catalog: 'invoice';
  started_at: string;
  finished_at: string;
  internal_invoices: number;
  external_invoices: number;
  drift_count: number;
  by_kind: Record<DriftKind, number>;
  /** The first `sampleLimit` drifts (the counts above are complete). */
  drifts: InvoiceDrift[];
  repaired: boolean;
}

/**
 * Compares every live invoice of ours with the system's invoices (reconcile-engine.ts): the same
 * kinds of drift as for customers, a linked pair differing in status, currency, amount due, amount
 * paid or number (the draft's lines are compared by their total, amount_due). Repairs go through the
 * normal paths, each side for what it owns (docs/invoices.md): our push for ours (it never moves
 * Stripe back), Stripe's state through the inbound rules for theirs (they never move ours back).
 */
export function reconcileInvoices(opts: ReconcileOptions): Promise<InvoiceReconcileReport> {
  return runReconcile(INVOICES, opts, ({ internal, external, ...counts }) => ({
    id: counts.id,
    system: counts.system,
    catalog: 'invoice' as const,
    started_at: counts.started_at,
    finished_at: counts.finished_at,
    internal_invoices: internal,
    external_invoices: external,
    drift_count: counts.drift_count,
    by_kind: counts.by_kind,
    drifts: counts.drifts,
    repaired: counts.repaired,
  }));
}

const OURS = `i.status as our_status, i.currency::text as our_currency, i.amount_due as our_amount_due, i.amount_paid as our_amount_paid, i.number as our_number`;
const NO_OURS = `null::text as our_status, null::text as our_currency, null::bigint as our_amount_due, null::bigint as our_amount_paid, null::text as our_number`;
const THEIRS = `e.status as their_status, e.currency as their_currency, e.amount_due as their_amount_due, e.amount_paid as their_amount_paid, e.number as their_number`;
const NO_THEIRS = `null::text as their_status, null::text as their_currency, null::bigint as their_amount_due, null::bigint as their_amount_paid, null::text as their_number`;
const MAPPED = (on: string) => `select 1 from external_mappings m where ${on} and m.external_system = ? and m.external_object_type = ? and m.entity_type = 'invoice'`;

// Each takes the system and the object type there as its parameters.
const QUERIES: Record<DriftKind, string> = {
  missing_in_external: `
    select i.id as invoice_id, null::text as external_id, ${OURS}, ${NO_THEIRS}
      from invoices i
     where i.deleted_at is null
       and not exists (${MAPPED('m.internal_id = i.id')})
       and not exists (select 1 from recon_external e where e.internal_id = i.id)`,
  missing_internally: `
    select null::integer as invoice_id, e.external_id, ${NO_OURS}, ${THEIRS}
      from recon_external e
     where not exists (${MAPPED('m.external_id = e.external_id')})
       and (e.internal_id is null or not exists (select 1 from invoices i where i.id = e.internal_id and i.deleted_at is null))`,
  unlinked_internal_id: `
    select i.id as invoice_id, e.external_id, ${OURS}, ${THEIRS}
      from recon_external e join invoices i on i.id = e.internal_id and i.deleted_at is null
     where not exists (${MAPPED('m.external_id = e.external_id')})`,
  stale_mapping: `
    select m.internal_id as invoice_id, m.external_id, ${OURS}, ${NO_THEIRS}
      from external_mappings m join invoices i on i.id = m.internal_id and i.deleted_at is null
     where m.external_system = ? and m.external_object_type = ? and m.entity_type = 'invoice' and not exists (select 1 from recon_external e where e.external_id = m.external_id)`,
  field_mismatch: `
    select i.id as invoice_id, e.external_id, ${OURS}, ${THEIRS}
      from external_mappings m
      join invoices i on i.id = m.internal_id and i.deleted_at is null
      join recon_external e on e.external_id = m.external_id
     where m.external_system = ? and m.external_object_type = ? and m.entity_type = 'invoice'
       and (i.status <> e.status or i.currency <> e.currency or i.amount_due <> e.amount_due or i.amount_paid <> e.amount_paid
            or (e.number is not null and i.number is distinct from e.number))`,
};

type Row = { invoice_id: number | null; external_id: string | null } & Record<`${'our' | 'their'}_${'status' | 'currency' | 'amount_due' | 'amount_paid' | 'number'}`, string | null>;

const side = (r: Row, who: 'our' | 'their'): InvoiceDriftSide | undefined =>
  r[`${who}_status`] === null
    ? undefined
    : { status: r[`${who}_status`]!, currency: r[`${who}_currency`]!, amount_due: Number(r[`${who}_amount_due`]), amount_paid: Number(r[`${who}_amount_paid`]), number: r[`${who}_number`] };

const INVOICES: ReconcileSpec<'invoice', DriftKind, InvoiceDrift> = {
  catalog: 'invoice',
  table: 'invoices',
  idColumn: 'invoice_id',
  enqueue: enqueueInvoices,
  kinds: ['missing_in_external', 'missing_internally', 'unlinked_internal_id', 'stale_mapping', 'field_mismatch'],
  columns: [
    ['status', 'text'],
    ['currency', 'text'],
    ['amount_due', 'bigint'],
    ['amount_paid', 'bigint'],
    ['number', 'text'],
    // The record as listed, for a repair that feeds it to the inbound rules.
    ['record', 'jsonb'],
  ],
  row: (x: ExternalInvoice) => [x.status, x.currency, x.amount_due, x.amount_paid, x.number, JSON.stringify(x)],
  queries: QUERIES,
  toDrift: (kind, raw) => {
    const r = raw as Row;
    return { kind, invoice_id: r.invoice_id, external_id: r.external_id, ours: side(r, 'our'), theirs: side(r, 'their') };
  },
  /**
   * - ours missing there, or a linked pair differing → our push (outbox row; the mapping's hash
   *   cleared first): it creates ours there, or takes theirs forward to ours;
   * - theirs missing here, carrying our id unlinked, or a linked pair differing → their record as
   *   an inbound change: imported (its customer linked first), linked, or its status, number and
   *   payments taken forward;
   * - our mapping points at an invoice they do not have → an inbound delete (a draft goes; any
   *   other stays, the rules say why).
   */
  async repair(ctx) {
    const { system, objectType, runId, now } = ctx;
    await ctx.pushOurs('missing_in_external');
    await ctx.pushOurs('field_mismatch');

    const events: ExternalChangeInput[] = [];
    const feed = (x: ExternalInvoice, kind: 'created' | 'deleted', id: string) =>
      events.push(changeMessage(system, listedChange(objectType, kind, x, id, now, 'invoice'), 'backfill', `reconcile:${runId}`));
    for (const kind of ['missing_internally', 'unlinked_internal_id', 'field_mismatch'] as const) {
      for (const r of await ctx.rows<Row & { record: ExternalInvoice }>(kind, 'e.record')) feed(r.record, 'created', `reconcile_${runId}_${r.external_id}`);
    }
    for (const r of await ctx.rows<Row>('stale_mapping')) {
      feed(deletedInvoice(r.external_id!, r.invoice_id), 'deleted', `reconcile_${runId}_${r.external_id}_deleted`);
    }
    return events;
  },
};
