import { CustomerSchema } from './customer';
import { DeadLetterSchema } from './dead-letter';
import { ExternalMappingSchema } from './external-mapping';
import { InvoiceLineSchema, InvoiceSchema } from './invoice';
import { OutboxMessageSchema } from './outbox-message';
import { SyncEventSchema } from './sync-event';

export * from './customer';
export * from './dead-letter';
export * from './external-mapping';
export * from './invoice';
export * from './outbox-message';
export * from './sync-event';

export const entities = [CustomerSchema, ExternalMappingSchema, SyncEventSchema, OutboxMessageSchema, DeadLetterSchema, InvoiceSchema, InvoiceLineSchema];
