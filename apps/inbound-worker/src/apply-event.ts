import {
  applyExternalChange,
  applyInvoiceChange,
  applyWithCustomer,
  importExternalCustomer,
  type ExternalInvoiceState,
  applyCreateBatch,
  applyOutsideLocks,
  applyUpdateBatch,
  recordInboundOutcome,
  type BatchChange,
  type ExternalState,
  type InboundAuditMeta,
  type InboundOutcome,
  type MikroORM,
} from '@cs/domain';
import { adapterOf, neutralState, type IntegrationRegistry } from '@cs/integrations';
import type { FailureClass, InboundMessage, MessageContext } from '@cs/kafka-schemas';
import { countSync, observeSyncLatency, type Logger } from '@cs/platform';
import { changeOf, entityOf, factsOf, invoiceChangeOf, invoiceStateOf, stateOf } from './change-of';
import { messageLogger } from './message-log';
import { inboundReason } from './outcome-reason';

export interface InboundDeps {
  orm: MikroORM;
  registry: IntegrationRegistry;
  logger: Logger;
}

/** A change we must not apply without a person: parked, with both versions in the reason. */
export class ParkForReview extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ParkForReview';
  }
}

/** A conflict the rules want a person to decide: the message is parked (nothing of it commits). */
function parkIfReview(result: InboundOutcome, about = ''): void {
  if (result.status === 'conflict' && result.park) throw new ParkForReview('conflict', `${about}${result.reason}; ours=${JSON.stringify(result.ours)} theirs=${JSON.stringify(result.theirs)}`);
}

function auditMeta(msg: InboundMessage, ctx: MessageContext): InboundAuditMeta {
  const f = factsOf(msg);
  return { system: f.system, eventType: f.eventType, traceId: msg.trace_id, payload: { event_id: f.eventId, external_id: f.externalId, via: f.via }, retryCount: ctx.attempt - 1, sourceAt: new Date(f.sourceTs * 1000) };
}

function reportApplied(deps: InboundDeps, msg: InboundMessage, outcome: InboundOutcome): void {
  const { system, eventType, sourceTs } = factsOf(msg);
  const catalog = entityOf(deps.registry, msg);
  countSync('inbound', system, outcome.status, outcome.status === 'success' ? 'none' : inboundReason(outcome.reason), catalog);
  // The source stamped the change (whole seconds); it is in our catalog now.
  if (outcome.status === 'success') observeSyncLatency('inbound', system, sourceTs * 1000, catalog);
  // A child logger per event costs even when its line is filtered out: at thousands a second, ask first.
  if (deps.logger.isLevelEnabled('info')) messageLogger(deps.logger, msg).info({ system, eventType, ...outcome }, 'inbound sync');
}

/**
 * Applies one verified external event to our catalog. Dedupe, the order guard, the change, its
 * outbox row (origin = that system) and the audit row commit together, or not at all.
 */
export async function applyEvent(deps: InboundDeps, msg: InboundMessage, ctx: MessageContext): Promise<void> {
  const { system, eventType } = factsOf(msg);
  if (!deps.registry.has(system)) throw new ParkForReview('unknown_system', `no integration for "${system}"`);
  const integration = deps.registry.get(system);
  if (entityOf(deps.registry, msg) === 'invoice') return applyInvoiceEvent(deps, msg, ctx);
  const change = changeOf(deps.registry, msg);
  const audit = auditMeta(msg, ctx);

  if (!change) {
    await recordInboundOutcome(deps.orm.em.fork(), audit, { status: 'skipped', reason: 'event type not synced', customerId: null });
    countSync('inbound', system, 'skipped', 'unsupported_event');
    messageLogger(deps.logger, msg).info({ eventType, status: 'skipped', reason: 'event type not synced' }, 'inbound sync');
    return;
  }
  const fetchCurrent = async (externalId: string): Promise<ExternalState | null> => {
    const current = await adapterOf(integration, 'customer').get(externalId);
    return current && stateOf(neutralState(current));
  };

  const outcome = await applyOutsideLocks(deps.orm, fetchCurrent, async (tx, current) => {
    const result = await applyExternalChange(tx, change, current);
    parkIfReview(result);
    await recordInboundOutcome(tx, audit, result);
    return result;
  });
  reportApplied(deps, msg, outcome);
}

/** The same for an invoice change: the invoice rules, the invoice's current state there read outside locks on a tie. */
async function applyInvoiceEvent(deps: InboundDeps, msg: InboundMessage, ctx: MessageContext): Promise<void> {
  const integration = deps.registry.get(msg.payload.system);
  const audit = { ...auditMeta(msg, ctx), entityType: 'invoice' };
  const change = invoiceChangeOf(deps.registry, msg);
  if (!change || !integration.catalogs.invoice) {
    const reason = change ? 'invoices not synced with this system' : 'event type not synced';
    await recordInboundOutcome(deps.orm.em.fork(), audit, { status: 'skipped', reason, customerId: null });
    countSync('inbound', msg.payload.system, 'skipped', 'unsupported_event', 'invoice');
    return;
  }
  const fetchCurrent = async (externalId: string): Promise<ExternalInvoiceState | null> => {
    const current = await adapterOf(integration, 'invoice').get(externalId);
    return current && !current.deleted ? invoiceStateOf(neutralState(current)) : null;
  };
  const apply = (linkCustomer: boolean) =>
    applyOutsideLocks(deps.orm, fetchCurrent, async (tx, current) => {
      const result = await applyInvoiceChange(tx, change, current, { linkCustomer });
      parkIfReview(result);
      await recordInboundOutcome(tx, audit, result);
      return result;
    });
  // An invoice made there for a customer we do not map yet: that customer is linked (or imported)
  // first, as its own event would, and a customer a person must decide on parks the invoice with it.
  const customers = integration.catalogs.customer;
  const outcome = customers
    ? await applyWithCustomer(apply, (customer) =>
        importExternalCustomer(deps.orm, {
          system: integration.system,
          adapter: customers,
          externalId: customer,
          eventId: `${change.eventId}:customer`,
          traceId: msg.trace_id,
          via: factsOf(msg).via,
          check: (result) => parkIfReview(result, `its customer ${customer}: `),
        }),
      )
    : await apply(false);
  reportApplied(deps, msg, outcome);
}

/**
 * The consumer's fast path for a wave of events (at most one per record): the updates of linked
 * customers and the records new to us that need no decision are applied together, one
 * transaction per system; the indexes returned are committed. The rest is left to applyEvent,
 * one by one.
 */
export async function applyEventBatch(deps: InboundDeps, items: Array<{ message: InboundMessage; ctx: MessageContext }>): Promise<Set<number>> {
  const bySystem = new Map<string, Array<{ index: number; msg: InboundMessage; entry: BatchChange }>>();
  items.forEach(({ message: msg, ctx }, index) => {
    const { system } = msg.payload;
    // Invoices have no set-based path: they go one by one (applyEvent).
    const change = deps.registry.has(system) && entityOf(deps.registry, msg) === 'customer' ? changeOf(deps.registry, msg) : null;
    if (change?.kind !== 'updated' && change?.kind !== 'created') return;
    const list = bySystem.get(system) ?? [];
    list.push({ index, msg, entry: { change, audit: auditMeta(msg, ctx) } });
    bySystem.set(system, list);
  });
  const applied = new Set<number>();
  for (const [system, list] of bySystem) {
    const target = { system, objectType: adapterOf(deps.registry.get(system), 'customer').objectType };
    // Updates of linked customers, then records new to us, in one transaction: if either fails
    // (a unique index raced), neither is kept and the consumer applies the wave one by one.
    const outcomes = await deps.orm.em.fork().transactional(async (tx) => {
      const entries = list.map((l) => l.entry);
      const updated = await applyUpdateBatch(tx, target, entries);
      const rest = entries.map((e, i) => (updated.has(i) ? null : e));
      const created = await applyCreateBatch(tx, target, rest.filter((e): e is BatchChange => e !== null));
      // applyCreateBatch numbers what it was given; back to the wave's own indexes.
      const indexOf = rest.flatMap((e, i) => (e === null ? [] : [i]));
      return new Map([...updated, ...[...created].map(([j, o]) => [indexOf[j]!, o] as const)]);
    });
    for (const [i, outcome] of outcomes) {
      applied.add(list[i]!.index);
      reportApplied(deps, list[i]!.msg, outcome);
    }
  }
  return applied;
}

export function classifyInbound(deps: InboundDeps, msg: InboundMessage | undefined, err: unknown): FailureClass {
  if (err instanceof ParkForReview) return { retryable: false, code: err.code, message: err.message };
  const system = msg?.payload.system;
  if (system && deps.registry.has(system)) return deps.registry.get(system).classifyError(err);
  return { retryable: true, code: 'error', message: err instanceof Error ? err.message : String(err) };
}
