import { EntitySchema } from '@mikro-orm/core';
import type { Address } from '../contact-fields';

export interface Customer {
  id: number;
  name: string;
  email: string;
  phone: string | null;
  /** Every part present (null when empty); null when there is no address at all. */
  address: Address | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** A tombstone: the row stays so its deletion can still be synced (see docs/data-model.md). */
  deletedAt: Date | null;
}

export const CustomerSchema = new EntitySchema<Customer>({
  name: 'Customer',
  tableName: 'customers',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    name: { type: 'string', length: 255 },
    email: { type: 'string', length: 255 },
    phone: { type: 'string', length: 40, nullable: true },
    address: { type: 'json', nullable: true },
    version: { type: 'integer', version: true },
    createdAt: { type: 'Date', fieldName: 'created_at', defaultRaw: 'now()', onCreate: () => new Date() },
    updatedAt: { type: 'Date', fieldName: 'updated_at', defaultRaw: 'now()', onCreate: () => new Date(), onUpdate: () => new Date() },
    deletedAt: { type: 'Date', fieldName: 'deleted_at', nullable: true },
  },
});
