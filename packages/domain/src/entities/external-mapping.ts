import { EntitySchema } from '@mikro-orm/core';
import type { SyncedState } from '../customer-rules';

export interface ExternalMapping {
  id: number;
  /** Which catalog the record of ours belongs to: customer (invoice next). */
  entityType: string;
  internalId: number;
  externalSystem: string;
  /** What the record is there (Stripe: customer; Salesforce: Account, Contact…): one record of ours may map to several of one system. */
  externalObjectType: string;
  externalId: string;
  createdAt: Date;
  /** Hash of the last state we pushed to / took from the system: equal hash means nothing to do. */
  lastSyncedHash: string | null;
  /** The synced fields as of lastSyncedHash: which fields either side changed since (per-field merge). Null on rows from before it was kept. */
  lastSyncedState: SyncedState | null;
  lastSyncedAt: Date | null;
  /** The source's own timestamp of the newest change applied from it (stale-event guard). */
  lastSourceTs: string | null;
}

export const ExternalMappingSchema = new EntitySchema<ExternalMapping>({
  name: 'ExternalMapping',
  tableName: 'external_mappings',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    entityType: { type: 'string', length: 50, fieldName: 'entity_type', default: 'customer' },
    internalId: { type: 'integer', fieldName: 'internal_id' },
    externalSystem: { type: 'string', length: 50, fieldName: 'external_system' },
    externalObjectType: { type: 'string', length: 50, fieldName: 'external_object_type', default: 'customer' },
    externalId: { type: 'string', length: 255, fieldName: 'external_id' },
    createdAt: { type: 'Date', fieldName: 'created_at', defaultRaw: 'now()', onCreate: () => new Date() },
    lastSyncedHash: { type: 'string', length: 64, fieldName: 'last_synced_hash', nullable: true },
    lastSyncedState: { type: 'json', fieldName: 'last_synced_state', nullable: true },
    lastSyncedAt: { type: 'Date', fieldName: 'last_synced_at', nullable: true },
    lastSourceTs: { type: 'bigint', fieldName: 'last_source_ts', nullable: true },
  },
});
