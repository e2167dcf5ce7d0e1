import type { Address } from '@cs/domain';
import { changeMessage, listedChange, type ExternalCustomer } from '@cs/integrations';
import type { ExternalChangeInput } from '@cs/kafka-schemas';
import { enqueueCustomers } from './enqueue';
import { runReconcile, type ReconcileOptions, type ReconcileSpec } from './reconcile-engine';

export type { ReconcileOptions } from './reconcile-engine';

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
  catalog: 'customer';
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

export const DRIFT_KINDS: readonly DriftKind[] = ['missing_in_external', 'missing_internally', 'unlinked_internal_id', 'stale_mapping', 'field_mismatch'];

/**
 * Compares every internal customer with the external system (reconcile-engine.ts). Repairs only
 * enqueue the normal sync messages (outbox rows, inbound events); the workers do the work.
 */
export function reconcile(opts: ReconcileOptions): Promise<ReconcileReport> {
  return runReconcile(CUSTOMERS, opts, ({ internal, external, ...counts }) => ({
    id: counts.id,
    system: counts.system,
    catalog: 'customer' as const,
    started_at: counts.started_at,
    finished_at: counts.finished_at,
    internal_customers: internal,
    external_customers: external,
    drift_count: counts.drift_count,
    by_kind: counts.by_kind,
    drifts: counts.drifts,
    repaired: counts.repaired,
  }));
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

const CUSTOMERS: ReconcileSpec<'customer', DriftKind, Drift> = {
  catalog: 'customer',
  table: 'customers',
  idColumn: 'customer_id',
  enqueue: enqueueCustomers,
  kinds: DRIFT_KINDS,
  columns: [
    ['name', 'text'],
    ['email', 'text'],
    ['phone', 'text'],
    ['address', 'jsonb'],
  ],
  row: (c: ExternalCustomer) => [c.name, c.email, c.phone, c.address ? JSON.stringify(c.address) : null],
  queries: QUERIES,
  toDrift: (kind, row) => toDrift(kind, row as unknown as RawDrift),
  /**
   * The repair for each kind, always through the normal paths (docs/sync-rules.md):
   * - ours missing there, or fields differ → push ours (outbox row; the mapping's "what they hold"
   *   hash is cleared first, since what they hold is no longer what we last sent);
   * - theirs missing here, or carrying our id unlinked → their record as an inbound event
   *   (the inbound rules link it by our id or email, or create it);
   * - our mapping points at a record they deleted → an inbound delete (as if its webhook had come).
   */
  async repair(ctx) {
    const { system, objectType, runId, now } = ctx;
    await ctx.pushOurs('missing_in_external');
    await ctx.pushOurs('field_mismatch');

    const events: ExternalChangeInput[] = [];
    for (const kind of ['missing_internally', 'unlinked_internal_id'] as const) {
      for (const r of await ctx.rows<RawDrift & { internal_id: number | null }>(kind, 'e.internal_id, e.created_ts')) {
        const customer = { externalId: r.external_id!, internalId: r.internal_id, name: r.their_name ?? '', email: r.their_email ?? '', phone: r.their_phone, address: r.their_address, deleted: false, createdTs: now };
        events.push(changeMessage(system, listedChange(objectType, 'created', customer, `reconcile_${runId}_${r.external_id}`, now), 'backfill', `reconcile:${runId}`));
      }
    }
    for (const r of await ctx.rows<RawDrift>('stale_mapping')) {
      const customer = { externalId: r.external_id!, internalId: r.customer_id, name: '', email: '', phone: null, address: null, deleted: true, createdTs: now };
      events.push(changeMessage(system, listedChange(objectType, 'deleted', customer, `reconcile_${runId}_${r.external_id}_deleted`, now), 'backfill', `reconcile:${runId}`));
    }
    return events;
  },
};
