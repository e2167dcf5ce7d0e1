import { MonotonicSeconds, type Clock } from './clock';
import { CustomerService } from './customers/service';
import { CustomerStore } from './customers/store';
import { EventRecorder } from './events/recorder';
import { EventStore } from './events/store';
import { Faults } from './faults/faults';
import { DEFAULT_FAULTS, mergeFaults } from './faults/settings';
import { IdempotencyStore } from './idempotency';
import { InvoiceItemService } from './invoiceitems/service';
import { InvoiceItemStore } from './invoiceitems/store';
import { InvoiceChanges } from './invoices/changes';
import { InvoiceService } from './invoices/service';
import { InvoiceStore } from './invoices/store';
import { InvoiceTransitions } from './invoices/transitions';
import { InvoiceView } from './invoices/view';
import type { ResolvedOptions } from './options';
import { Stats } from './stats';
import { WebhookDispatcher, type WebhookCounters } from './webhooks/dispatcher';
import { EndpointRegistry } from './webhooks/endpoints';

export interface StatsSnapshot {
  requests: { total: number; by_route: Record<string, number> };
  writes: number;
  rate_limited: number;
  errors_injected: number;
  customers: number;
  events: number;
  webhooks: WebhookCounters;
}

export interface ResetRequest {
  /** Also remove registered webhook endpoints. */
  endpoints?: boolean;
  /** Also restore the fault settings the emulator started with. */
  faults?: boolean;
}

/** Everything the emulator holds in memory, wired together once. */
export class EmulatorState {
  readonly clock: Clock;
  readonly apiVersion: string;
  readonly customerStore = new CustomerStore();
  readonly invoiceStore = new InvoiceStore();
  readonly invoiceItemStore = new InvoiceItemStore();
  readonly eventStore = new EventStore();
  readonly endpoints = new EndpointRegistry();
  readonly stats = new Stats();
  readonly faults: Faults;
  readonly idempotency: IdempotencyStore;
  readonly webhooks: WebhookDispatcher;
  readonly events: EventRecorder;
  readonly customers: CustomerService;
  readonly invoices: InvoiceService;
  readonly invoiceTransitions: InvoiceTransitions;
  readonly invoiceItems: InvoiceItemService;
  readonly invoiceView: InvoiceView;
  private readonly created: MonotonicSeconds;

  constructor(options: ResolvedOptions) {
    this.clock = options.clock;
    this.apiVersion = options.apiVersion;
    this.created = new MonotonicSeconds(options.clock);
    this.faults = new Faults(mergeFaults(DEFAULT_FAULTS, options.faults));
    this.idempotency = new IdempotencyStore(options.clock);
    this.webhooks = new WebhookDispatcher(
      this.endpoints,
      {
        concurrency: options.webhookConcurrency,
        maxAttempts: options.webhookMaxAttempts,
        retryInitialMs: options.webhookRetryInitialMs,
        retryMaxMs: options.webhookRetryMaxMs,
        timeoutMs: options.webhookTimeoutMs,
        reorderMaxMs: options.webhookReorderMaxMs,
      },
      () => ({ duplicateShare: this.faults.settings.duplicate_webhooks, reorder: this.faults.settings.reorder_webhooks }),
      (eventId) => this.events.settled(eventId),
    );
    this.events = new EventRecorder(this.eventStore, this.endpoints, this.webhooks, this.created, options.apiVersion);
    this.customers = new CustomerService(this.customerStore, this.events, this.created);
    this.invoiceView = new InvoiceView(this.invoiceItemStore, this.customerStore);
    const changes = new InvoiceChanges(this.invoiceView, this.events);
    this.invoices = new InvoiceService(this.invoiceStore, this.invoiceItemStore, this.customerStore, this.invoiceView, changes, this.events, this.created);
    this.invoiceTransitions = new InvoiceTransitions(this.invoiceStore, this.invoiceView, changes, this.events, this.created);
    this.invoiceItems = new InvoiceItemService(this.invoiceItemStore, this.invoiceStore, this.customerStore, this.events, this.created);
    for (const endpoint of options.webhookEndpoints) this.endpoints.register(endpoint.url, endpoint.secret);
  }

  snapshotStats(): StatsSnapshot {
    return {
      requests: { total: this.stats.total, by_route: this.stats.routes() },
      writes: this.stats.writes,
      rate_limited: this.stats.rateLimited,
      errors_injected: this.stats.errorsInjected,
      customers: this.customerStore.liveCount,
      events: this.eventStore.count,
      webhooks: this.webhooks.counters(),
    };
  }

  resetStats(): void {
    this.stats.reset();
    this.webhooks.resetCounters();
  }

  reset(request: ResetRequest = {}): void {
    this.webhooks.reset();
    this.customerStore.clear();
    this.invoiceStore.clear();
    this.invoiceItemStore.clear();
    this.eventStore.clear();
    this.idempotency.clear();
    this.stats.reset();
    this.created.reset();
    this.faults.rateLimiter.reset();
    if (request.endpoints === true) this.endpoints.clear();
    if (request.faults === true) this.faults.restoreInitial();
  }
}
