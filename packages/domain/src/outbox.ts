import type { EntityManager } from '@mikro-orm/postgresql';
import { envelope, type CustomerChangeType, type Origin } from '@cs/kafka-schemas';
import { OutboxMessageSchema, type Customer } from './entities';

export interface ChangeContext {
  origin: Origin;
  traceId: string;
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
    occurred_at: customer.updatedAt,
    payload: {
      customer_id: customer.id,
      version: customer.version,
      snapshot: { name: customer.name, email: customer.email, deleted: customer.deletedAt !== null },
    },
  });
  em.create(OutboxMessageSchema, {
    aggregateId: customer.id,
    eventType: type,
    origin: ctx.origin,
    envelope: env,
    createdAt: new Date(),
    publishedAt: null,
  });
}
