import type { MikroORM } from '@mikro-orm/postgresql';
import type { CatalogAdapter, CustomerFields, ExternalCustomer } from '@cs/integrations';
import { applyExternalChange } from './apply-external-change';
import { applyOutsideLocks } from './apply-outside-locks';
import { recordInboundOutcome } from './audit';
import type { ExternalChange, ExternalState, InboundOutcome } from './types';

/**
 * Thrown inside an invoice apply's transaction when the invoice was made there for a customer we
 * do not map yet: the transaction rolls back, the caller links the customer, and applies again.
 */
export class NeedsCustomer extends Error {
  constructor(readonly customerExternalId: string) {
    super(`customer ${customerExternalId} is not linked here yet`);
    this.name = 'NeedsCustomer';
  }
}

/**
 * Runs an invoice apply that may ask for its customer (`apply(true)`, see applyInvoiceChange's
 * `linkCustomer`): the customer is linked by `linkCustomer`, then the invoice applied once more —
 * without asking again, so a customer that could not be linked leaves the invoice skipped.
 */
export async function applyWithCustomer<T>(apply: (linkCustomer: boolean) => Promise<T>, linkCustomer: (customerExternalId: string) => Promise<unknown>): Promise<T> {
  try {
    return await apply(true);
  } catch (err) {
    if (!(err instanceof NeedsCustomer)) throw err;
    await linkCustomer(err.customerExternalId);
    return apply(false);
  }
}

export interface CustomerImport {
  system: string;
  /** The customer adapter of that system (its record is read with it, outside any transaction). */
  adapter: CatalogAdapter<CustomerFields, ExternalCustomer>;
  externalId: string;
  /** Dedupes the customer's application: derived from the invoice's event, so a re-delivery applies it once. */
  eventId: string;
  traceId: string | null;
  /** What the audit row says brought it (how the invoice came: webhook, feed, backfill…). */
  via: string;
  /** Sees the outcome before it commits: throwing here (to park a conflict) writes nothing. */
  check?: (outcome: InboundOutcome) => void;
}

/**
 * The customer of an invoice made there, read from the system now and applied through the customer
 * rules, as its own create event would be: linked by our id or email, else created (origin that
 * system, so every other system hears of it). Gone there: nothing to link (the rules skip it).
 */
export async function importExternalCustomer(orm: MikroORM, c: CustomerImport): Promise<InboundOutcome> {
  const record = await c.adapter.get(c.externalId);
  const state: ExternalState | null = record && { name: record.name, email: record.email, phone: record.phone, address: record.address, internalId: record.internalId, deleted: record.deleted };
  const change: ExternalChange = {
    system: c.system,
    objectType: c.adapter.objectType,
    eventId: c.eventId,
    kind: state && !state.deleted ? 'created' : 'deleted',
    externalId: c.externalId,
    // The state was read just now: it is as new as anything the source can tell us.
    sourceTs: Math.floor(Date.now() / 1000),
    state,
    traceId: c.traceId,
  };
  return applyOutsideLocks(orm, () => Promise.resolve(state), async (tx, current) => {
    const outcome = await applyExternalChange(tx, change, current ?? { state });
    c.check?.(outcome);
    const eventType = change.kind === 'created' ? 'customer.created' : 'customer.deleted';
    await recordInboundOutcome(tx, { system: c.system, eventType, traceId: c.traceId, payload: { event_id: c.eventId, external_id: c.externalId, via: c.via } }, outcome);
    return outcome;
  });
}
