import type { MonotonicSeconds } from '../clock';
import { newEventId } from '../ids';
import type { EndpointRegistry } from '../webhooks/endpoints';
import type { WebhookDispatcher } from '../webhooks/dispatcher';
import type { EventStore, StripeEvent } from './store';

/** Who caused a change; ends up in `event.request`. */
export interface WriteOrigin {
  requestId: string | null;
  idempotencyKey: string | null;
  /** A change that leaves no event and sends no webhook: drift, for reconciliation tests. */
  silent?: boolean;
}

/** Stores an event and hands it to webhook delivery — the single place events are born. */
export class EventRecorder {
  constructor(
    private readonly store: EventStore,
    private readonly endpoints: EndpointRegistry,
    private readonly dispatcher: WebhookDispatcher,
    private readonly created: MonotonicSeconds,
    private readonly apiVersion: string,
  ) {}

  record(type: string, object: unknown, previousAttributes: Record<string, unknown> | null, origin: WriteOrigin): StripeEvent {
    const data: StripeEvent['data'] = previousAttributes === null ? { object } : { object, previous_attributes: previousAttributes };
    const event: StripeEvent = {
      id: newEventId(),
      object: 'event',
      api_version: this.apiVersion,
      created: this.created.next(),
      data,
      livemode: false,
      pending_webhooks: this.endpoints.size,
      request: { id: origin.requestId, idempotency_key: origin.idempotencyKey },
      type,
    };
    this.store.append(event);
    // Serialise once, now: the payload must describe the state at the time of the change.
    if (event.pending_webhooks > 0) this.dispatcher.dispatch(event.id, JSON.stringify(event));
    return event;
  }

  /** A delivery to one endpoint finished (delivered or given up). */
  settled(eventId: string): void {
    const record = this.store.get(eventId);
    if (record !== undefined && record.event.pending_webhooks > 0) record.event.pending_webhooks--;
  }
}
