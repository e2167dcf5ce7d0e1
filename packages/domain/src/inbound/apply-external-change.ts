import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { customerFields, sameState, stateHash, syncedState, type SyncedState } from '../customer-rules';
import { CustomerSchema, type Customer } from '../entities';
import { enqueueCustomerChange } from '../outbox';
import { sql } from '../sql';
import { linkMapping, markSynced, type MappingRow } from '../sync/mappings';
import { pick, planMerge, withFields } from './merge';
import { applyChange, currentState, type CatalogApply } from './apply-change';
import { type ExternalChange, type ExternalState, type InboundOutcome, type KnownCurrent } from './types';

/**
 * Applies one external change to our customers, inside the caller's transaction. The shared steps
 * (dedupe, order guard, same-second ties, partial changes) are applyChange's; the customer rules
 * (docs/sync-rules.md):
 * - equal to what we hold → nothing changes (the echo of our own write);
 * - if we hold an internal change the system has not confirmed yet, the two are merged field by
 *   field against the state last synced with the record: a field changed on one side only takes
 *   that side's value, and only a field changed on both goes to the later of the two (our
 *   change's time against the event's; a tie goes to the system's current state), recorded as a
 *   conflict. Mappings from before that state was kept fall back to the same rule for the whole
 *   record;
 * - every change we apply writes an outbox row with origin = that system, so the other systems
 *   hear of it and it is never sent back.
 */
export function applyExternalChange(em: EntityManager, change: ExternalChange, current?: KnownCurrent): Promise<InboundOutcome> {
  return applyChange(em, CUSTOMER_APPLY, change, current);
}

/** The customer catalog's rules, after the shared steps of applyChange. */
const CUSTOMER_APPLY: CatalogApply<ExternalState> = {
  entityType: 'customer',
  sameAsSynced: (state, lastSynced) => {
    const ours = representable(state);
    return ours !== null && sameState(ours, syncedState(lastSynced as SyncedState));
  },
  complete: (change, state, mapping) => ({
    ...state,
    ...withFields(syncedState(mapping.last_synced_state!), stateAsSynced(state), change.changedFields ?? []),
    internalId: state.internalId ?? mapping.internal_id,
  }),
  onDelete: (em, change, mapping) => applyDelete(em, change, mapping),
  onMapped: (em, change, mapping, state, current) => applyToMapped(em, change, mapping, state, current),
  onUnmapped: (em, change, state) => applyUnmapped(em, change, state),
};

const stateAsSynced = (s: ExternalState): SyncedState => ({ name: s.name, email: s.email, phone: s.phone, address: s.address });

const targetOf = (change: ExternalChange) => ({ system: change.system, objectType: change.objectType });

async function loadCustomer(em: EntityManager, id: number): Promise<Customer | null> {
  return em.findOne(CustomerSchema, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
}

/**
 * What we can store: names are required here, so a nameless record takes its email as name; a
 * phone or address our rules refuse makes the record unrepresentable (parked for a person, rather
 * than silently dropping what they hold).
 */
export function representable(state: ExternalState): SyncedState | null {
  const parsed = customerFields.safeParse({ name: state.name.trim() || state.email, email: state.email, phone: state.phone ?? null, address: state.address ?? null });
  return parsed.success ? parsed.data : null;
}

/** `state` with ours for the fields the system does not set here (see ExternalChange.keepOurs). */
function ignoringKept(change: ExternalChange, state: SyncedState | null, ours: SyncedState): SyncedState | null {
  return state && change.keepOurs?.length ? withFields(state, ours, change.keepOurs) : state;
}

/** Who changed last, by the time each side made its change (our row's updated_at, the event's seconds). */
function lastWriter(customer: Customer, change: ExternalChange): 'ours' | 'theirs' | 'same second' {
  const oursMs = customer.updatedAt.getTime();
  const theirsMs = change.sourceTs * 1000;
  return oursMs >= theirsMs + 1000 ? 'ours' : oursMs >= theirsMs ? 'same second' : 'theirs';
}

async function applyToMapped(em: EntityManager, change: ExternalChange, mapping: MappingRow, state: ExternalState, known: KnownCurrent): Promise<InboundOutcome> {
  const customer = await loadCustomer(em, mapping.internal_id);
  if (!customer || customer.deletedAt) return { status: 'skipped', reason: 'customer deleted here', customerId: mapping.internal_id };
  const ours = syncedState(customer);
  const held = representable(state);
  if (!held) return unrepresentable(change, state, customer.id);
  // Fields that go only to that system: whatever it holds for them, ours stay.
  const theirs = ignoringKept(change, held, ours)!;
  if (sameState(ours, theirs)) {
    await markSynced(em, mapping.id, ours, change.sourceTs);
    return { status: 'skipped', reason: 'already equal (echo)', customerId: customer.id };
  }

  const pendingOurs = mapping.last_synced_hash !== null && mapping.last_synced_hash !== stateHash(ours);
  // Merged per field when we hold a change they have not confirmed — and whenever the source says
  // which fields it changed: the event's other values may be an older snapshot (the echo of our
  // earlier write arriving after a later one), never a reason to take them back.
  const merge = pendingOurs || (change.changedFields !== undefined && mapping.last_synced_hash !== null);
  if (merge && mapping.last_synced_state) return applyMerged(em, change, mapping, customer, theirs, syncedState(mapping.last_synced_state), known);
  if (pendingOurs) {
    // A mapping from before the synced state was kept: the whole record goes to the later writer.
    const writer = lastWriter(customer, change);
    if (writer === 'ours') {
      // Our later change is on its way to them; keeping ours converges both sides.
      return { status: 'conflict', reason: 'ours is newer: kept ours, it will be sent', customerId: customer.id, ours, theirs, park: false };
    }
    if (writer === 'same second') {
      const current = currentState(change, known);
      const resolved = current && !current.deleted ? ignoringKept(change, representable(current), ours) : null;
      if (!resolved) return applyDelete(em, change, mapping);
      const outcome = await update(em, change, mapping, customer, resolved);
      return outcome.status === 'success'
        ? { status: 'conflict', reason: `same second: took ${change.system}'s current state`, customerId: customer.id, ours, theirs: resolved, park: false }
        : outcome;
    }
  }
  return update(em, change, mapping, customer, theirs);
}

/**
 * A linked customer takes `fields` (the maybe-merged state); `held` is what the record there
 * holds now. When the two differ (we kept some of ours), the outbox row's origin is internal, so
 * that the system, too, is sent the result — not only the other systems.
 */
async function update(em: EntityManager, change: ExternalChange, mapping: MappingRow, customer: Customer, fields: SyncedState, held: SyncedState = fields): Promise<InboundOutcome> {
  if (sameState(syncedState(customer), fields)) {
    await markSynced(em, mapping.id, held, change.sourceTs);
    return { status: 'skipped', reason: 'already equal', customerId: customer.id };
  }
  const clash = await emailOwner(em, fields.email, customer.id);
  if (clash) return emailConflict(change, customer.id, clash, fields);
  em.assign(customer, { ...fields, updatedAt: new Date() });
  await em.flush();
  const origin = sameState(fields, held) ? change.system : 'internal';
  enqueueCustomerChange(em, 'customer.updated', customer, { origin: origin as never, traceId: change.traceId ?? change.eventId });
  await em.flush();
  await markSynced(em, mapping.id, held, change.sourceTs);
  return { status: 'success', action: 'updated', customerId: customer.id };
}

/**
 * Per-field merge of their change with our unconfirmed one (design.md §6), against `base`, the
 * state last synced with the record. Fields changed on both sides go to the last writer, and the
 * event's audit row becomes a `conflict` row holding both values of each such field.
 */
async function applyMerged(em: EntityManager, change: ExternalChange, mapping: MappingRow, customer: Customer, theirs: SyncedState, base: SyncedState, known: KnownCurrent): Promise<InboundOutcome> {
  const ours = syncedState(customer);
  const plan = planMerge(ours, theirs, base, change.changedFields);
  let merged = withFields(ours, theirs, plan.take);
  let held = theirs;
  let resolution = '';
  if (plan.conflicts.length > 0) {
    const writer = lastWriter(customer, change);
    if (writer === 'theirs') merged = withFields(merged, theirs, plan.conflicts);
    if (writer === 'same second') {
      const current = currentState(change, known);
      const resolved = current && !current.deleted ? ignoringKept(change, representable(current), ours) : null;
      if (!resolved) return applyDelete(em, change, mapping);
      // Their current state is newer than the event: it gives every field we take from them.
      held = resolved;
      merged = withFields(ours, resolved, [...plan.take, ...plan.conflicts]);
    }
    resolution = writer === 'ours' ? 'ours is newer: kept ours' : writer === 'theirs' ? `${change.system}'s is newer: took theirs` : `same second: took ${change.system}'s current state`;
  }
  const outcome = await update(em, change, mapping, customer, merged, held);
  if (outcome.status === 'conflict') return outcome;
  if (plan.conflicts.length > 0) {
    const reason = `changed on both sides (${plan.conflicts.join(', ')}): ${resolution}`;
    return { status: 'conflict', reason, customerId: customer.id, ours: pick(ours, plan.conflicts), theirs: pick(theirs, plan.conflicts), park: false };
  }
  const detail = `merged: took ${plan.take.join(', ') || 'nothing'} from ${change.system}, kept ours for ${plan.keep.join(', ') || 'nothing'}`;
  return outcome.status === 'success' ? { ...outcome, detail } : { status: 'skipped', reason: `kept ours (changed only here: ${plan.keep.join(', ')})`, customerId: customer.id };
}

async function applyUnmapped(em: EntityManager, change: ExternalChange, state: ExternalState): Promise<InboundOutcome> {
  const theirs = representable(state);
  if (!theirs) return unrepresentable(change, state, null);

  // Our own create coming back: the record carries our id. Link, do not create — and never
  // bring back a customer we deleted.
  if (state.internalId !== null) {
    const ours = await loadCustomer(em, state.internalId);
    if (ours?.deletedAt) return { status: 'skipped', reason: 'customer deleted here', customerId: ours.id };
    if (ours) return link(em, change, ours, theirs, 'echo of our create');
  }
  const owner = await sql<{ id: number; mapped_to: string | null }>(
    em,
    `select c.id, m.external_id as mapped_to from customers c
       left join external_mappings m on m.entity_type = 'customer' and m.internal_id = c.id and m.external_system = ? and m.external_object_type = ?
      where c.email = ? and c.deleted_at is null for update of c`,
    [change.system, change.objectType, theirs.email],
  );
  const existing = owner[0];
  if (existing && existing.mapped_to === null) {
    const ours = await loadCustomer(em, existing.id);
    return link(em, change, ours!, theirs, 'same email');
  }
  if (existing) return emailConflict(change, existing.id, existing.id, theirs, existing.mapped_to);

  const now = new Date();
  const customer = em.create(CustomerSchema, { ...theirs, version: 1, createdAt: now, updatedAt: now, deletedAt: null });
  await em.flush();
  enqueueCustomerChange(em, 'customer.created', customer, { origin: change.system as never, traceId: change.traceId ?? change.eventId });
  await em.flush();
  const mapping = await linkMapping(em, customer.id, targetOf(change), change.externalId);
  await markSynced(em, mapping.id, theirs, change.sourceTs);
  return { status: 'success', action: 'created', customerId: customer.id };
}

/**
 * Links one of our customers to an external record. Ours is kept: the link records what they
 * hold, and if that differs from ours an outbound push (origin internal) brings them ours.
 */
async function link(em: EntityManager, change: ExternalChange, customer: Customer, theirs: SyncedState, why: string): Promise<InboundOutcome> {
  const mapping = await linkMapping(em, customer.id, targetOf(change), change.externalId);
  if (mapping.external_id !== change.externalId) {
    // Already linked to another record of that system: two records claim one customer.
    return { status: 'conflict', reason: `customer ${customer.id} is already linked to ${mapping.external_id}`, customerId: customer.id, ours: mapping.external_id, theirs: change.externalId, park: true };
  }
  await markSynced(em, mapping.id, theirs, change.sourceTs);
  if (!sameState(syncedState(customer), theirs)) {
    enqueueCustomerChange(em, 'customer.updated', customer, { origin: 'internal', traceId: change.traceId ?? change.eventId }, `relink:${change.eventId}`);
    await em.flush();
  }
  return { status: 'success', action: 'linked', customerId: customer.id, detail: why };
}

async function applyDelete(em: EntityManager, change: ExternalChange, mapping: MappingRow | undefined): Promise<InboundOutcome> {
  if (!mapping) return { status: 'skipped', reason: 'not linked to any customer', customerId: null };
  const customer = await loadCustomer(em, mapping.internal_id);
  // The mapping stays, as a tombstone link: a late event for this record then still finds our
  // (deleted) customer and is skipped, instead of looking new and resurrecting it.
  await markSynced(em, mapping.id, null, change.sourceTs);
  if (!customer || customer.deletedAt) return { status: 'skipped', reason: 'already deleted here', customerId: mapping.internal_id };
  const now = new Date();
  em.assign(customer, { deletedAt: now, updatedAt: now });
  await em.flush();
  enqueueCustomerChange(em, 'customer.deleted', customer, { origin: change.system as never, traceId: change.traceId ?? change.eventId });
  await em.flush();
  return { status: 'success', action: 'deleted', customerId: customer.id };
}

async function emailOwner(em: EntityManager, email: string, exceptId: number): Promise<number | null> {
  const rows = await sql<{ id: number }>(em, 'select id from customers where email = ? and deleted_at is null and id <> ?', [email, exceptId]);
  return rows[0]?.id ?? null;
}

function emailConflict(change: ExternalChange, customerId: number, ownerId: number, theirs: unknown, mappedTo?: string | null): InboundOutcome {
  const where = mappedTo ? `, which is linked to ${mappedTo}` : '';
  return { status: 'conflict', reason: `email belongs to customer ${ownerId}${where}`, customerId, ours: { customer_id: ownerId }, theirs, park: true };
}

function unrepresentable(change: ExternalChange, state: ExternalState, customerId: number | null): InboundOutcome {
  return { status: 'conflict', reason: `${change.system} record ${change.externalId} has no usable email/name`, customerId, ours: null, theirs: state, park: true };
}
