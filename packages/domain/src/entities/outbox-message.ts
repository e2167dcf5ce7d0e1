import { EntitySchema } from '@mikro-orm/core';

/** One row per accepted change, written in the change's own transaction; the relay publishes it. */
export interface OutboxMessage {
  id: string;
  /** Which catalog the change is about (customer, invoice next): it names the topic too. */
  entityType: string;
  aggregateId: number;
  eventType: string;
  origin: string;
  envelope: unknown;
  createdAt: Date;
  publishedAt: Date | null;
}

export const OutboxMessageSchema = new EntitySchema<OutboxMessage>({
  name: 'OutboxMessage',
  tableName: 'outbox',
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true },
    entityType: { type: 'string', length: 50, fieldName: 'entity_type', default: 'customer' },
    aggregateId: { type: 'integer', fieldName: 'aggregate_id' },
    eventType: { type: 'string', length: 50, fieldName: 'event_type' },
    origin: { type: 'string', length: 20 },
    envelope: { type: 'json' },
    createdAt: { type: 'Date', fieldName: 'created_at', defaultRaw: 'now()', onCreate: () => new Date() },
    publishedAt: { type: 'Date', fieldName: 'published_at', nullable: true },
  },
});
