import type { EntityManager } from '@mikro-orm/postgresql';
import { envelope, type CustomerChangeType, type InvoiceChangeType, type Origin } from '@cs/kafka-schemas';
import { OutboxMessageSchema, type Customer, type Invoice } from './entities';

export interface ChangeContext {
  origin: Origin;
  traceId: string;
  /** Who made it: the API key's name (never the key), on the envelope and so on its sync_events rows. */
  actor?: string | undefined;
}

/**
 * Adds the outbox row for a committed-together change. It must be called inside the same
 * transaction as the change itself: that is the whole point of the outbox.
 */
export function enqueueCustomerChange(em: EntityManager, type: CustomerChangeType, customer: Customer, ctx: ChangeContext, keySuffix?: string): void {
  const env = envelope({
    type,
    // One key per version of one customer: consumers dedupe a re-published row by it.
    idempotency_key: `customer:${customer.id}:v${customer.version}${keySuffix ? `:${keySuffix}` : ''}`,
    origin: ctx.origin,
    trace_id: ctx.traceId,
    actor: ctx.actor,
    occurred_at: customer.updatedAt,
    payload: {
      customer_id: customer.id,
      version: customer.version,
      snapshot: { name: customer.name, email: customer.email, phone: customer.phone, address: customer.address, deleted: customer.deletedAt !== null },
    },
  });
  addOutboxRow(em, 'customer', customer.id, env, ctx);
}

/**
 * The same for an invoice (after the flush that bumped its version): one row per version, on
 * invoice.events, keyed by invoice id. The payload names the invoice; consumers read its state.
 */
export function enqueueInvoiceChange(em: EntityManager, type: InvoiceChangeType, invoice: Invoice, ctx: ChangeContext, keySuffix?: string): void {
  const env = envelope({
    type,
    idempotency_key: `invoice:${invoice.id}:v${invoice.version}${keySuffix ? `:${keySuffix}` : ''}`,
    origin: ctx.origin,
    trace_id: ctx.traceId,
    actor: ctx.actor,
    occurred_at: invoice.updatedAt,
    payload: { invoice_id: invoice.id, customer_id: invoice.customerId, version: invoice.version, status: invoice.status },
  });
  addOutboxRow(em, 'invoice', invoice.id, env, ctx);
}

function addOutboxRow(em: EntityManager, entityType: 'customer' | 'invoice', aggregateId: number, env: { type: string }, ctx: ChangeContext): void {
  em.create(OutboxMessageSchema, {
    entityType,
    aggregateId,
    eventType: env.type,
    origin: ctx.origin,
    envelope: env,
    createdAt: new Date(),
    publishedAt: null,
  });
}

/**
 * SQL for the `customer.created` envelope of a just-inserted row `row` (id, name, email,
 * phone, address, updated_at), for statements that insert customers and their outbox rows at once. It must build
 * what enqueueCustomerChange builds for version 1 (tested in inbound/update-batch.int.test.ts and
 * sync-jobs' backfill.int.test.ts against the one-by-one path's rows). `actor`, an SQL text
 * expression, is the context's actor: null leaves the field out, as the envelope does.
 */
export function createdEnvelopeSql(row: string, origin: string, traceId: string, actor?: string): string {
  const env = envelopeSql(row, 'customer.created', '1', origin, traceId);
  return actor === undefined ? env : `(${env} || jsonb_strip_nulls(jsonb_build_object('actor', ${actor})))`;
}

/**
 * The same for `customer.updated` of a live row `row` (id, name, email, phone, address, version, updated_at);
 * `keySuffix`, an SQL text expression, is enqueueCustomerChange's key suffix (with its colon).
 */
export function updatedEnvelopeSql(row: string, origin: string, traceId: string, keySuffix = "''"): string {
  return envelopeSql(row, 'customer.updated', `${row}.version`, origin, traceId, keySuffix);
}

function envelopeSql(row: string, type: CustomerChangeType, version: string, origin: string, traceId: string, keySuffix = "''"): string {
  return `jsonb_build_object(
      'id', gen_random_uuid(),
      'type', '${type}',
      'idempotency_key', 'customer:' || ${row}.id || ':v' || ${version} || ${keySuffix},
      'occurred_at', to_char(${row}.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'origin', ${origin},
      'trace_id', ${traceId},
      'payload', jsonb_build_object('customer_id', ${row}.id, 'version', ${version}::int,
        'snapshot', jsonb_build_object('name', ${row}.name, 'email', ${row}.email, 'phone', ${row}.phone, 'address', ${row}.address, 'deleted', false)))`;
}
