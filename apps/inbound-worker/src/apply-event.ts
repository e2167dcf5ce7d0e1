import { applyExternalChange, recordInboundOutcome, type ExternalState, type MikroORM } from '@cs/domain';
import type { IntegrationRegistry } from '@cs/integrations';
import type { FailureClass, InboundMessage, MessageContext } from '@cs/kafka-schemas';
import { countSync, observeSyncLatency, type Logger } from '@cs/platform';
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

/**
 * Applies one verified external event to our catalog. Dedupe, the order guard, the change, its
 * outbox row (origin = that system) and the audit row commit together, or not at all.
 */
export async function applyEvent(deps: InboundDeps, msg: InboundMessage, ctx: MessageContext): Promise<void> {
  const { system, event, event_id: eventId, event_type: eventType } = msg.payload;
  if (!deps.registry.has(system)) throw new ParkForReview('unknown_system', `no integration for "${system}"`);
  const integration = deps.registry.get(system);
  const change = integration.toNeutralChange(event);
  const log = messageLogger(deps.logger, msg);
  const em = deps.orm.em.fork();
  const audit = {
    system,
    eventType,
    traceId: msg.trace_id,
    payload: { event_id: eventId, external_id: msg.payload.object_id, via: msg.payload.via },
    retryCount: ctx.attempt - 1,
  };

  if (!change) {
    await recordInboundOutcome(em, audit, { status: 'skipped', reason: 'event type not synced', customerId: null });
    countSync('inbound', system, 'skipped', 'unsupported_event');
    log.info({ eventType, status: 'skipped', reason: 'event type not synced' }, 'inbound sync');
    return;
  }
  const fetchCurrent = async (externalId: string): Promise<ExternalState | null> => {
    const current = await integration.getCustomer(externalId);
    return current && { name: current.name, email: current.email, internalId: current.internalId, deleted: current.deleted };
  };

  const outcome = await em.transactional(async (tx) => {
    const result = await applyExternalChange(
      tx,
      {
        system,
        eventId,
        kind: change.kind,
        externalId: change.externalId,
        sourceTs: change.sourceTs,
        state: change.customer && { name: change.customer.name, email: change.customer.email, internalId: change.customer.internalId, deleted: change.customer.deleted },
        traceId: msg.trace_id,
      },
      fetchCurrent,
    );
    if (result.status === 'conflict' && result.park) throw new ParkForReview('conflict', `${result.reason}; ours=${JSON.stringify(result.ours)} theirs=${JSON.stringify(result.theirs)}`);
    await recordInboundOutcome(tx, audit, result);
    return result;
  });
  countSync('inbound', system, outcome.status, outcome.status === 'success' ? 'none' : inboundReason(outcome.reason));
  // The source stamped the change (whole seconds); it is in our catalog now.
  if (outcome.status === 'success') observeSyncLatency('inbound', system, msg.payload.source_created * 1000);
  log.info({ system, eventType, ...outcome }, 'inbound sync');
}

export function classifyInbound(deps: InboundDeps, msg: InboundMessage | undefined, err: unknown): FailureClass {
  if (err instanceof ParkForReview) return { retryable: false, code: err.code, message: err.message };
  const system = msg?.payload.system;
  if (system && deps.registry.has(system)) return deps.registry.get(system).classifyError(err);
  return { retryable: true, code: 'error', message: err instanceof Error ? err.message : String(err) };
}
