import { customerFields, sameField, stateHash, SYNCED_FIELDS, syncedState, type SyncedState } from '../customer-rules';
import type { Address } from '../contact-fields';
import { DELETED_HASH_INPUT } from '../sync/mappings';
import type { Catalog } from './catalog';

/** The customer catalog: name, email, phone and postal address, soft-deleted, no lifecycle. */
export const customerCatalog: Catalog<SyncedState> = {
  name: 'customer',
  table: 'customers',
  columns: ['name', 'email', 'phone', 'address'],
  fields: SYNCED_FIELDS,
  input: customerFields as unknown as Catalog<SyncedState>['input'],
  state: (row) => syncedState(row as { name: string; email: string; phone?: string | null; address?: Partial<Address> | null }),
  sameField,
  hash: stateHash,
  deletion: 'soft',
  deletedHash: stateHash(DELETED_HASH_INPUT),
};
