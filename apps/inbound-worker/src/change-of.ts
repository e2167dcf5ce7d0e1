import { customerCatalog, fieldsOnlyTo, SYNCED_FIELDS, type ExternalChange, type ExternalInvoiceState, type ExternalState, type SyncedField } from '@cs/domain';
import type { IntegrationRegistry } from '@cs/integrations';
import { neutralState } from '@cs/integrations';
import type { InboundMessage } from '@cs/kafka-schemas';

/** What every inbound message says about itself, whichever shape it has. */
export interface InboundFacts {
  system: string;
  eventId: string;
  eventType: string;
  externalId: string;
  via: string;
  /** The source's timestamp of the change, in seconds. */
  sourceTs: number;
}

export function factsOf(msg: InboundMessage): InboundFacts {
  if (msg.type === 'external.change') {
    const c = msg.payload;
    return { system: c.system, eventId: c.event_id, eventType: c.event_type, externalId: c.external_id, via: c.via, sourceTs: c.source_ts };
  }
  const e = msg.payload;
  return { system: e.system, eventId: e.event_id, eventType: e.event_type, externalId: e.object_id, via: e.via, sourceTs: e.source_created };
}

/** The changed fields a message names, those of our catalog only (undefined: the source did not say). */
function changedFieldsOf(names: readonly string[] | undefined): SyncedField[] | undefined {
  return names?.filter((n): n is SyncedField => (SYNCED_FIELDS as readonly string[]).includes(n));
}

/** A neutral state as a message carries it, in the domain's terms (fields it does not name pass through). */
export function stateOf(record: Record<string, unknown> | null): ExternalState | null {
  if (!record) return null;
  return {
    name: typeof record.name === 'string' ? record.name : '',
    email: typeof record.email === 'string' ? record.email : '',
    // Checked by the domain's rules when applied (representable): a bad value is parked there.
    phone: (record.phone ?? null) as ExternalState['phone'],
    address: (record.address ?? null) as ExternalState['address'],
    internalId: typeof record.internalId === 'number' && Number.isInteger(record.internalId) ? record.internalId : null,
    deleted: record.deleted === true,
  };
}

/**
 * The change a message carries, for the domain's apply. An `external.change` is neutral already;
 * an `external.event` (published before the connectors turned events into changes at the edge)
 * is decoded by its system's connector. Null: an event type the sync does not act on.
 */
export function changeOf(registry: IntegrationRegistry, msg: InboundMessage): ExternalChange | null {
  const change = decoded(registry, msg);
  const keepOurs = change && registry.has(change.system) ? fieldsOnlyTo(customerCatalog, registry.get(change.system).catalogs.customer?.fieldMap) : [];
  return change && keepOurs.length > 0 ? { ...change, keepOurs } : change;
}

function decoded(registry: IntegrationRegistry, msg: InboundMessage): ExternalChange | null {
  if (msg.type === 'external.change') {
    const p = msg.payload;
    return {
      system: p.system,
      objectType: p.object_type,
      eventId: p.event_id,
      kind: p.kind,
      externalId: p.external_id,
      sourceTs: p.source_ts,
      state: stateOf(p.state),
      traceId: msg.trace_id,
      changedFields: changedFieldsOf(p.changed_fields),
      ...(p.partial ? { partial: true } : {}),
    };
  }
  const change = registry.get(msg.payload.system).toNeutralChange(msg.payload.event);
  if (!change) return null;
  return {
    system: msg.payload.system,
    objectType: change.objectType,
    eventId: msg.payload.event_id,
    kind: change.kind,
    externalId: change.externalId,
    sourceTs: change.sourceTs,
    state: change.customer && stateOf(neutralState(change.customer)),
    traceId: msg.trace_id,
    changedFields: changedFieldsOf(change.changedFields),
  };
}

/** Which of our catalogs a message is about: an invoice change goes to the invoice rules, anything else to the customer's. */
export function entityOf(registry: IntegrationRegistry, msg: InboundMessage): 'customer' | 'invoice' {
  if (msg.type === 'external.change') return msg.payload.entity_type === 'invoice' ? 'invoice' : 'customer';
  const system = msg.payload.system;
  return registry.has(system) && registry.get(system).toNeutralChange(msg.payload.event)?.entityType === 'invoice' ? 'invoice' : 'customer';
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** A neutral invoice state as a message carries it (checked by the invoice rules when imported). */
export function invoiceStateOf(record: Record<string, unknown> | null): ExternalInvoiceState | null {
  if (!record) return null;
  const lines = Array.isArray(record.lines) ? (record.lines as Array<Record<string, unknown>>) : [];
  return {
    internalId: typeof record.internalId === 'number' && Number.isInteger(record.internalId) ? record.internalId : null,
    deleted: record.deleted === true,
    customer: String(record.customer ?? ''),
    currency: String(record.currency ?? ''),
    collection_method: record.collection_method === 'send_invoice' ? 'send_invoice' : 'charge_automatically',
    due_date: str(record.due_date),
    description: str(record.description),
    lines: lines.map((l) => ({ description: String(l.description ?? ''), quantity: num(l.quantity), unit_amount: num(l.unit_amount) })),
    linesIncomplete: record.linesIncomplete === true,
    status: (['draft', 'open', 'paid', 'void', 'uncollectible'] as const).find((s) => s === record.status) ?? 'draft',
    number: str(record.number),
    hosted_invoice_url: str(record.hosted_invoice_url),
    invoice_pdf: str(record.invoice_pdf),
    amount_due: num(record.amount_due),
    amount_paid: num(record.amount_paid),
    amount_remaining: num(record.amount_remaining),
    paid_at: typeof record.paid_at === 'number' ? record.paid_at : null,
  };
}

/** The invoice change a message carries (entityOf said invoice); null: an event type the sync does not act on. */
export function invoiceChangeOf(registry: IntegrationRegistry, msg: InboundMessage): ExternalChange<ExternalInvoiceState> | null {
  if (msg.type === 'external.change') {
    const p = msg.payload;
    return { system: p.system, objectType: p.object_type, eventId: p.event_id, kind: p.kind, externalId: p.external_id, sourceTs: p.source_ts, state: invoiceStateOf(p.state), traceId: msg.trace_id };
  }
  const change = registry.get(msg.payload.system).toNeutralChange(msg.payload.event);
  if (!change) return null;
  const state = change.invoice && change.kind !== 'deleted' ? invoiceStateOf(neutralState(change.invoice)) : null;
  return { system: msg.payload.system, objectType: change.objectType, eventId: msg.payload.event_id, kind: change.kind, externalId: change.externalId, sourceTs: change.sourceTs, state, traceId: msg.trace_id };
}
