import { z } from 'zod';
import { catalogNames, type SyncStatus } from '@cs/domain';
import { addressResponse } from '../customers/schemas';
import { intString, isoDateTime, MAX_INT, nameString } from '../params';

const STATUSES = ['pending', 'success', 'skipped', 'retrying', 'failed', 'parked', 'conflict'] as const satisfies readonly SyncStatus[];
const system = nameString('system', 'stripe');

export const syncEventsQuery = z
  .strictObject({
    customer_id: intString('customer_id', 1, MAX_INT).optional().meta({ description: 'Only events about this customer' }),
    system: system.optional().meta({ description: 'Only events with this external system, e.g. stripe' }),
    status: z.enum(STATUSES).optional().meta({ description: 'Only events with this status' }),
    direction: z.enum(['inbound', 'outbound']).optional().meta({ description: 'Only events in this direction' }),
    from: isoDateTime('from').optional().meta({ description: 'Created at or after this time (ISO 8601 with zone)' }),
    to: isoDateTime('to').optional().meta({ description: 'Created before this time (ISO 8601 with zone)' }),
    limit: intString('limit', 1, 500).default(50).meta({ description: 'Rows to return, 1–500' }),
    before_id: intString('before_id', 1, MAX_INT).optional().meta({ description: 'Only events older than this id: next_before_id of the previous page' }),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });

export const customersSyncQuery = z.strictObject({
  skip: intString('skip', 0, MAX_INT).default(0).meta({ description: 'Rows to skip (newest first)' }),
  limit: intString('limit', 1, 200).default(50).meta({ description: 'Rows to return, 1–200' }),
});

export const reconcileQuery = z.strictObject({
  system: system.optional().meta({ description: 'The system reconciled; default: the most recent report of any system' }),
  catalog: nameString('catalog', 'invoice')
    .refine((c) => catalogNames.includes(c as (typeof catalogNames)[number]), { message: `catalog must be one of ours: ${catalogNames.join(', ')}` })
    .default('customer')
    .meta({ description: `The catalog reconciled: ${catalogNames.join(', ')}. Default: customer, as before there were other catalogs, so that clients that name none get the same answer` }),
});

const time = z.iso.datetime();
const nullableTime = time.nullable();

export const systemStateResponse = z.object({
  system: z.string(),
  mapping: z.object({ external_id: z.string(), created_at: time }).nullable(),
  last_synced_at: nullableTime,
  last_status: z.string().nullable(),
  last_error: z.string().nullable(),
  last_event_at: nullableTime,
  last_event_type: z.string().nullable(),
  last_direction: z.string().nullable(),
});

export const parkedSummaryResponse = z.object({
  id: z.number().int(),
  source_topic: z.string(),
  message_key: z.string().nullable(),
  external_system: z.string().nullable(),
  reason: z.string(),
  error_code: z.string().nullable(),
  attempts: z.number().int(),
  trace_id: z.string().nullable(),
  created_at: time,
});

export const customerSyncResponse = z.object({
  customer_id: z.number().int(),
  deleted: z.boolean(),
  deleted_at: nullableTime,
  systems: z.array(systemStateResponse),
  dead_letters: z.array(parkedSummaryResponse),
});

export const customersSyncResponse = z.object({
  data: z.array(
    z.object({
      id: z.number().int(),
      name: z.string(),
      email: z.string(),
      version: z.number().int(),
      updated_at: time,
      systems: z.array(systemStateResponse),
    }),
  ),
  has_more: z.boolean(),
});

export const invoicesSyncResponse = z.object({
  data: z.array(
    z.object({
      id: z.number().int(),
      customer_id: z.number().int(),
      status: z.enum(['draft', 'open', 'paid', 'void', 'uncollectible']),
      currency: z.string().meta({ description: 'ISO 4217, lower case' }),
      number: z.string().nullable().meta({ description: 'The number Stripe gave it; null until finalized there' }),
      amount_due: z.number().int().meta({ description: 'Integer minor units' }),
      amount_paid: z.number().int(),
      amount_remaining: z.number().int(),
      hosted_invoice_url: z.string().nullable().meta({ description: "Stripe's hosted invoice page; null until Stripe makes one" }),
      version: z.number().int(),
      updated_at: time,
      systems: z.array(systemStateResponse),
    }),
  ),
  has_more: z.boolean(),
});

export const syncEventResponse = z.object({
  id: z.number().int(),
  event_id: z.string(),
  event_type: z.string(),
  entity_type: z.string(),
  entity_id: z.number().int(),
  external_system: z.string().nullable(),
  status: z.string(),
  payload: z.unknown().meta({ description: 'As stored, with secret-looking keys redacted' }),
  error_message: z.string().nullable(),
  retry_count: z.number().int(),
  created_at: time,
  processed_at: nullableTime,
  direction: z.string().nullable(),
  trace_id: z.string().nullable(),
  actor: z
    .string()
    .nullable()
    .meta({ description: 'Who made the change: the name of the API key it came through, or the system it came from; null when not known (an operator job, an open API, rows from before actors)' }),
});

export const syncEventsResponse = z.object({
  data: z.array(syncEventResponse),
  next_before_id: z.number().int().nullable().meta({ description: 'Pass as before_id for the next, older page; null on the last page' }),
});

const lastReconcile = z.object({ system: z.string().nullable(), finished_at: nullableTime, drift_count: z.number().int().nullable() });
export const summaryResponse = z.object({
  customers: z.number().int().meta({ description: 'Live (not deleted) customers' }),
  mapped: z.record(z.string(), z.number().int()).meta({ description: 'Customers linked, per external system' }),
  sync_events_last_hour: z.record(z.string(), z.number().int()).meta({ description: 'sync_events rows of the last hour, per status' }),
  dead_letters_parked: z.number().int(),
  outbox: z.object({
    backlog: z.number().int().meta({ description: 'Outbox rows not yet published to Kafka' }),
    oldest_age_seconds: z.number().int().nullable().meta({ description: 'Age of the oldest unpublished row; null when there is none' }),
  }),
  last_reconcile: lastReconcile.nullable().meta({ description: "The customers' last reconciliation (as before there were other catalogs); null until one ran" }),
  last_reconcile_by_catalog: z
    .record(z.string(), lastReconcile.nullable())
    .meta({ description: `Every catalog's last reconciliation, by catalog (${catalogNames.join(', ')}); null until one ran` }),
  generated_at: time,
});

// Optional: reports stored before phone and address were compared carry neither.
const side = z.object({ name: z.string(), email: z.string(), phone: z.string().nullable().optional(), address: addressResponse.nullable().optional() });
const invoiceSide = z.object({ status: z.string(), currency: z.string(), amount_due: z.number().int(), amount_paid: z.number().int(), number: z.string().nullable() });
const count = z.number().int();
// What every catalog's report holds; each adds its own counts and drift rows.
const reportOf = <C extends string>(catalog: C) => ({
  id: z.string(),
  system: z.string(),
  catalog: z.literal(catalog).meta({ description: 'Whose report it is (reports stored before invoices were reconciled name none: they are the customers’)' }),
  started_at: time,
  finished_at: time,
  drift_count: count,
  by_kind: z.record(z.string(), count),
  repaired: z.boolean(),
  stored_at: time,
});
const drift = { kind: z.string(), external_id: z.string().nullable() };
export const reconcileReportResponse = z
  .discriminatedUnion('catalog', [
    z.object({
      ...reportOf('customer'),
      internal_customers: count,
      external_customers: count,
      drifts: z.array(z.object({ ...drift, customer_id: count.nullable(), ours: side.optional(), theirs: side.optional() })),
    }),
    z.object({
      ...reportOf('invoice'),
      internal_invoices: count,
      external_invoices: count,
      drifts: z.array(z.object({ ...drift, invoice_id: count.nullable(), ours: invoiceSide.optional(), theirs: invoiceSide.optional() })),
    }),
  ])
  .meta({ description: 'The report as the reconcile job stored it (drifts holds the first rows; the counts are complete), plus its catalog and when it was stored' });

const circuitState = z.enum(['closed', 'half-open', 'open']);
export const circuitsResponse = z.object({
  systems: z.array(
    z.object({
      system: z.string(),
      state: z.enum([...circuitState.options, 'unknown']).meta({ description: 'The worst state a live worker reports (open > half-open > closed); unknown when no worker reports this system' }),
      reports: z.array(
        z.object({
          system: z.string(),
          service: z.string().meta({ description: 'outbound-worker or inbound-worker' }),
          instance: z.string().meta({ description: 'service@host:pid' }),
          state: circuitState,
          since: time.meta({ description: 'When it closed, or when it opened (its probes keep that time)' }),
          failures: z.number().int().meta({ description: 'System failures in a row' }),
          last_failure: z.string().nullable().meta({ description: "The last system failure's code, until it closes" }),
          next_probe_at: nullableTime,
          reported_at: time,
        }),
      ),
    }),
  ),
  generated_at: time,
});
