import type { EndpointRegistry, WebhookEndpoint } from './endpoints';
import { signatureHeader } from './signature';
import { WebhookTransport } from './transport';

export interface DispatcherOptions {
  concurrency: number;
  maxAttempts: number;
  retryInitialMs: number;
  retryMaxMs: number;
  timeoutMs: number;
  /** Upper bound of the random hold when reordering is on. */
  reorderMaxMs: number;
}

/** Read at dispatch time so the admin route can change them while running. */
export interface DeliveryBehaviour {
  duplicateShare: number;
  reorder: boolean;
}

export interface WebhookCounters {
  /** HTTP attempts made (each retry counts). */
  attempted: number;
  /** Attempts answered 2xx. */
  succeeded: number;
  /** Attempts that got a non-2xx answer or a connection error. */
  failed: number;
  /** Deliveries not finished yet: held, queued, in flight or waiting to retry. */
  pending: number;
  /** Deliveries given up after maxAttempts. */
  abandoned: number;
}

interface Delivery {
  endpoint: WebhookEndpoint;
  eventId: string;
  payload: string;
  attempt: number;
  generation: number;
  /** Duplicates are extra sends and must not settle the event's pending_webhooks twice. */
  primary: boolean;
}

/**
 * Asynchronous, bounded-concurrency webhook delivery with Stripe-like retries. Nothing here
 * ever blocks an API response: dispatch() only enqueues.
 */
export class WebhookDispatcher {
  private queue: Delivery[] = [];
  private head = 0;
  private active = 0;
  private generation = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly idleWaiters: Array<() => void> = [];
  private readonly transport: WebhookTransport;
  private counts = { attempted: 0, succeeded: 0, failed: 0, abandoned: 0 };
  private pending = 0;

  constructor(
    private readonly endpoints: EndpointRegistry,
    private readonly options: DispatcherOptions,
    private readonly behaviour: () => DeliveryBehaviour,
    private readonly onSettled: (eventId: string) => void,
  ) {
    this.transport = new WebhookTransport(options.concurrency, options.timeoutMs);
  }

  /** Queues one delivery per endpoint; returns how many endpoints will be notified. */
  dispatch(eventId: string, payload: string): number {
    const endpoints = this.endpoints.list();
    const { duplicateShare, reorder } = this.behaviour();
    for (const endpoint of endpoints) {
      const copies = duplicateShare > 0 && Math.random() < duplicateShare ? 2 : 1;
      for (let copy = 0; copy < copies; copy++) {
        const delivery: Delivery = { endpoint, eventId, payload, attempt: 0, generation: this.generation, primary: copy === 0 };
        this.pending++;
        if (reorder) this.later(delivery, Math.random() * this.options.reorderMaxMs);
        else this.enqueue(delivery);
      }
    }
    return endpoints.length;
  }

  counters(): WebhookCounters {
    return { ...this.counts, pending: this.pending };
  }

  resetCounters(): void {
    this.counts = { attempted: 0, succeeded: 0, failed: 0, abandoned: 0 };
  }

  /** Resolves once every queued delivery has succeeded or been abandoned. */
  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops every pending delivery (in flight ones are aborted) and zeroes the counters. */
  reset(): void {
    this.generation++;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.queue = [];
    this.head = 0;
    this.transport.abortAll();
    this.pending = 0;
    this.resetCounters();
    this.notifyIdle();
  }

  close(): void {
    this.reset();
    this.transport.destroy();
  }

  private later(delivery: Delivery, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.enqueue(delivery);
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private enqueue(delivery: Delivery): void {
    if (delivery.generation !== this.generation) return;
    this.queue.push(delivery);
    this.pump();
  }

  private pump(): void {
    while (this.active < this.options.concurrency && this.head < this.queue.length) {
      const delivery = this.queue[this.head++];
      if (delivery !== undefined) void this.attempt(delivery);
    }
    // Compact the array once the consumed prefix dominates, keeping push/shift O(1) amortised.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private async attempt(delivery: Delivery): Promise<void> {
    if (!this.endpoints.isActive(delivery.endpoint)) {
      this.settle(delivery);
      return;
    }
    this.active++;
    delivery.attempt++;
    this.counts.attempted++;
    // A fresh timestamp per attempt, as Stripe re-signs retries.
    const timestamp = Math.floor(Date.now() / 1000);
    let ok = false;
    try {
      const status = await this.transport.post(delivery.endpoint.url, delivery.payload, {
        'Content-Type': 'application/json; charset=utf-8',
        'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        'Stripe-Signature': signatureHeader(delivery.payload, delivery.endpoint.secret, timestamp),
      });
      ok = status >= 200 && status < 300;
    } catch {
      ok = false;
    } finally {
      this.active--;
    }
    if (delivery.generation === this.generation) this.finishAttempt(delivery, ok);
    this.pump();
  }

  private finishAttempt(delivery: Delivery, ok: boolean): void {
    if (ok) {
      this.counts.succeeded++;
      this.settle(delivery);
      return;
    }
    this.counts.failed++;
    if (delivery.attempt >= this.options.maxAttempts) {
      this.counts.abandoned++;
      this.settle(delivery);
      return;
    }
    const backoff = Math.min(this.options.retryInitialMs * 2 ** (delivery.attempt - 1), this.options.retryMaxMs);
    this.later(delivery, backoff);
  }

  private settle(delivery: Delivery): void {
    this.pending--;
    if (delivery.primary) this.onSettled(delivery.eventId);
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.pending !== 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
