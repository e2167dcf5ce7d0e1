/** Provider-neutral shapes: what the workers and the domain see of any external system. */

/** A postal address in our terms: every part present, null when empty. */
export interface PostalAddress {
  line1: string | null;
  line2: string | null;
  city: string | null;
  state: string | null;
  postal_code: string | null;
  country: string | null;
}

/**
 * The fields we sync, in our own terms. phone/address null: none (a write clears them there);
 * left out: not touched by the write.
 */
export interface CustomerFields {
  name: string;
  email: string;
  phone?: string | null | undefined;
  address?: PostalAddress | null | undefined;
}

/** Our names of the synced fields, as a change's changedFields lists them. */
export type SyncedFieldName = 'name' | 'email' | 'phone' | 'address';

export interface ExternalCustomer extends CustomerFields {
  phone: string | null;
  address: PostalAddress | null;
  externalId: string;
  /** Our customer id, when the external record carries it (Stripe: metadata.internal_id). */
  internalId: number | null;
  deleted: boolean;
  /** The source's own timestamp of the record's creation, in seconds. */
  createdTs: number;
  /** Its last modification, in seconds, where the source says (Salesforce SystemModstamp). */
  modifiedTs?: number | undefined;
}

/** An invoice's status, in Stripe's (and our) terms. */
export type InvoiceStatusName = 'draft' | 'open' | 'paid' | 'void' | 'uncollectible';

/** One line of an invoice: an amount in integer minor units per unit. */
export interface InvoiceLineFields {
  description: string;
  quantity: number;
  unit_amount: number;
}

/**
 * The invoice fields we write, in our terms; a field left out is not touched. `customer` is the
 * customer's id there (the push finds it through the customer's mapping). `status` is where we
 * want the invoice to be: the adapter makes the lifecycle calls that take it there, never backwards.
 */
export interface InvoiceFields {
  customer?: string | undefined;
  currency?: string | undefined;
  collection_method?: 'charge_automatically' | 'send_invoice' | undefined;
  /** YYYY-MM-DD, or null. */
  due_date?: string | null | undefined;
  description?: string | null | undefined;
  lines?: InvoiceLineFields[] | undefined;
  status?: InvoiceStatusName | undefined;
}

/** An invoice as a system holds it: our fields plus what only it sets (number, URLs, payments). */
export interface ExternalInvoice extends ExternalRecord {
  /** The customer's id there. */
  customer: string;
  currency: string;
  collection_method: 'charge_automatically' | 'send_invoice';
  due_date: string | null;
  description: string | null;
  lines: InvoiceLineFields[];
  status: InvoiceStatusName;
  number: string | null;
  hosted_invoice_url: string | null;
  invoice_pdf: string | null;
  amount_due: number;
  amount_paid: number;
  amount_remaining: number;
  /** When it was paid, in seconds; null while unpaid. */
  paid_at: number | null;
  /** `lines` is only the first page (an event embeds 10): read the invoice for all of them. */
  linesIncomplete?: boolean | undefined;
}

/** A change an external system tells us about, turned into our terms. */
export interface NeutralChange {
  action: 'upsert' | 'delete';
  kind: 'created' | 'updated' | 'deleted';
  /** Which of our catalogs it concerns. */
  entityType: 'customer' | 'invoice';
  /** The type of record it is there (Stripe: customer). */
  objectType: string;
  externalId: string;
  eventId: string;
  /** The source's own event type, for the audit trail (Stripe: customer.updated). */
  eventType: string;
  /** The source's timestamp of the change, in seconds (Stripe: event.created). */
  sourceTs: number;
  /** The customer after the change (entityType customer; null otherwise or for a delete without state). */
  customer: ExternalCustomer | null;
  /** The invoice after the change (entityType invoice). */
  invoice?: ExternalInvoice | null | undefined;
  /**
   * Which of our fields the change touched, when the source says (Stripe: previous_attributes of
   * customer.updated); undefined when it does not, and every field that differs from what we last
   * synced counts as changed there.
   */
  changedFields?: SyncedFieldName[] | undefined;
  /** The source's timestamp in milliseconds, where it has them (Salesforce CDC's commitTimestamp). */
  sourceTsMs?: number | undefined;
  /**
   * `customer` holds only the fields in `changedFields` (a Salesforce CDC UPDATE carries nothing
   * else): merge them onto what we hold, never take the others as cleared.
   */
  partial?: boolean | undefined;
  /** The source says we made this change ourselves (Salesforce's changeOrigin names our client): an echo. */
  ownWrite?: boolean | undefined;
}

export interface WriteOptions {
  /** Sent to the provider so that a retry replays the first call instead of repeating it. */
  idempotencyKey: string;
}

export interface ListPage<X = ExternalCustomer> {
  items: X[];
  nextCursor: string | null;
}

export interface VerifiedWebhook {
  eventId: string;
  eventType: string;
  objectId: string;
  created: number;
  event: Record<string, unknown>;
}

/** How the caller should treat a failed call. */
export interface ErrorClass {
  retryable: boolean;
  /** `not_found` and `idempotency_conflict` are neutral (every integration uses them); others are the provider's. */
  code: string;
  message: string;
  status?: number;
  /** Milliseconds the provider asked us to wait before retrying. */
  retryAfterMs?: number;
  /**
   * The failure is the system's, not this call's: unreachable, timing out, 5xx, throttling us,
   * refusing our credentials. It counts toward opening the system's circuit breaker, and is
   * always retryable: the same call can succeed once the system is back.
   */
  systemDown?: boolean;
}

/**
 * One HTTP exchange with a provider, reported to the optional `onCall` hook of an integration's
 * config (the apps record it as a metric; this package stays free of any metrics library).
 */
export interface ExternalCall {
  system: string;
  /** A bounded operation name: the HTTP method and the path with ids templated out, e.g. "POST /v1/customers/{id}". */
  method: string;
  /** HTTP status of the answer (calls that got no answer, e.g. timeouts, are not reported). */
  status: number;
  elapsedMs: number;
  /** The system's daily API quota as this answer reported it (Salesforce's Sforce-Limit-Info), when it does. */
  quota?: { used: number; max: number } | undefined;
}

/** Checks a provider's webhook signature; what the webhook gateway needs, without API credentials. */
export interface WebhookVerifier {
  readonly system: string;
  /** Throws WebhookVerificationError when the signature is missing, malformed, forged or stale. */
  verify(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): VerifiedWebhook;
  /** Whether the sync acts on this event type (others are acknowledged and counted, not published). */
  handles(eventType: string): boolean;
  /** The verified event as a neutral change; null for events the sync does not act on. */
  toChange(event: Record<string, unknown>): NeutralChange | null;
}

/** An event as the source's events API lists it (what a webhook would have carried). */
export interface SourceEvent {
  eventId: string;
  eventType: string;
  objectId: string;
  created: number;
  event: Record<string, unknown>;
}

/** How one of our fields travels between the catalog and a system. */
export type FieldDirection = 'both' | 'to' | 'from';

/**
 * Which of a catalog's fields a system syncs, and which way: `both` (the default for a field
 * left out), `to` (we write it there, never take theirs), `from` (we take theirs, never write it).
 */
export type FieldMap = Readonly<Record<string, FieldDirection>>;

/**
 * One catalog's records at one system (Stripe customers, Salesforce Accounts): what the outbound
 * push, the inbound refetch, backfill and reconcile call. `F` is what we write, `X` what we read.
 */
export interface CatalogAdapter<F = CustomerFields, X extends ExternalRecord = ExternalCustomer> {
  /** The type of record it is there: with the system, what a mapping points at. */
  readonly objectType: string;
  /** Which fields travel which way; absent: every field both ways. */
  readonly fieldMap?: FieldMap | undefined;
  create(fields: F, internalId: number, opts: WriteOptions): Promise<X>;
  update(externalId: string, fields: F, opts: WriteOptions): Promise<X>;
  delete(externalId: string, opts: WriteOptions): Promise<void>;
  get(externalId: string): Promise<X | null>;
  /**
   * The live record carrying our id, oldest first if several do; null when none does. `scope.parent`:
   * the id there of the record it belongs to (an invoice's customer), where the system can look there only.
   */
  findByInternalId(internalId: number, scope?: { parent?: string | undefined }): Promise<X | null>;
  list(cursor: string | null, limit: number): Promise<ListPage<X>>;
  /**
   * Bulk writes, where the system has them (Salesforce sObject Collections): a backlog goes out in
   * a few calls instead of one per record. Each record's result comes back on its own, in order;
   * a failed one is retried through the single-record calls. `upsertMany` creates or updates by our
   * id (idempotent by it); `updateMany` updates records we know the id of there.
   */
  upsertMany?(records: ReadonlyArray<{ fields: F; internalId: number }>): Promise<BulkResult[]>;
  updateMany?(records: ReadonlyArray<{ fields: F; externalId: string }>): Promise<BulkResult[]>;
}

/** One record's outcome in a bulk write. */
export type BulkResult = { ok: true; externalId: string; created: boolean } | { ok: false; error: ErrorClass };

/** What every external record read back carries, whatever the catalog. */
export interface ExternalRecord {
  externalId: string;
  internalId: number | null;
  deleted: boolean;
  createdTs: number;
}

/** One delivery of a change stream: decoded changes and the cursor to persist once they are queued. */
export interface StreamBatch {
  changes: NeutralChange[];
  /** Opaque; resume the stream from it after a restart. */
  cursor: string;
  /** The source reported lost changes (Salesforce GAP_* events, an expired replay id): reconcile. */
  gap?: { externalIds: string[] } | undefined;
}

/**
 * A push-based change feed (Salesforce CDC over the Pub/Sub API): `subscribe` delivers batches,
 * waiting for each `onBatch` before asking for more (flow control), until `signal` aborts.
 */
export interface SubscribeOptions {
  signal: AbortSignal;
  /** Told each time the stream failed and is opened again after `delayMs` (it never gives up on its own). */
  onReconnect?: ((err: unknown, delayMs: number) => void) | undefined;
}

export interface ChangeStream {
  subscribe(cursor: string | null, onBatch: (batch: StreamBatch) => Promise<void>, opts: SubscribeOptions): Promise<void>;
}

/** A connector's adapters, by the name of our catalog they serve; a catalog left out is not synced with that system. */
export interface IntegrationCatalogs {
  customer?: CatalogAdapter<CustomerFields, ExternalCustomer> | undefined;
  invoice?: CatalogAdapter<InvoiceFields, ExternalInvoice> | undefined;
}

/** The names of our catalogs a connector can serve. */
export type CatalogName = keyof IntegrationCatalogs;

export interface Integration {
  readonly system: string;
  readonly catalogs: IntegrationCatalogs;
  /** null for event types this integration does not handle. */
  toNeutralChange(event: Record<string, unknown>): NeutralChange | null;
  /**
   * The system's change feed, when it has one: how changes reach us besides webhooks (or instead
   * of them), read from an opaque cursor that the caller persists. Stripe's is its events API.
   */
  readonly feed?: ChangeFeed;
  /** A push-based change feed (Salesforce CDC), when the system has one. */
  readonly stream?: ChangeStream;
  classifyError(err: unknown): ErrorClass;
  /** For /health/ready: the API answers and accepts our credentials. */
  ping(): Promise<void>;
  /**
   * Why non-urgent work (backfill, reconcile) must stop now, or null when it may go on: Salesforce
   * stops at a share of the org's daily API quota so the org's other integrations keep working.
   * Live sync is never stopped by it. Absent: never.
   */
  holdNonUrgent?(): string | null;
}

/** One read of a change feed. */
export interface FeedPage {
  /** Oldest first. */
  changes: NeutralChange[];
  /** Where the next read starts: persist it once the changes are durably queued. */
  cursor: string;
  /** The cursor was older than the source keeps changes: some were lost, a reconciliation must run. */
  gap?: boolean;
  /** Something an operator should hear of (a cursor close to the source's retention). */
  warning?: string;
}

export interface ChangeFeed {
  /**
   * The changes after `cursor` (null: the first read ever — from about now; history is what
   * backfill is for). `sinceTs` (seconds) restarts from that time instead, where the feed can: the
   * catch-up poller passes the system's start point on its first read (sync-jobs `startPoint`).
   */
  poll(cursor: string | null, opts?: { sinceTs?: number | undefined }): Promise<FeedPage>;
}

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}
