import type { EntityManager } from '@mikro-orm/postgresql';
import type { Address } from './contact-fields';
import type { Customer } from './entities/customer';
import type { ExternalMapping } from './entities/external-mapping';
import type { SyncedState } from './customer-rules';
import { prepared } from './sql';

/**
 * The API's reads in one statement each, without the unit of work: a read hydrates no entities
 * and tracks nothing, and a customer with its mappings is one round trip instead of two. Under
 * load the ORM's statement building and the second round trip were most of a read's cost (the
 * API profile in docs/benchmarks.md).
 */

/** A customers row as SQL returns it (the columns below). */
export interface CustomerRow {
  id: number;
  name: string;
  email: string;
  phone: string | null;
  address: Address | null;
  version: number;
  // MikroORM has pg hand timestamps over as text.
  created_at: string | Date;
  updated_at: string | Date;
  deleted_at?: string | Date | null;
}

interface MappingJson {
  id: number;
  entity_type: string;
  internal_id: number;
  external_system: string;
  external_object_type: string;
  external_id: string;
  created_at: string;
  last_synced_hash: string | null;
  last_synced_state: SyncedState | null;
  last_synced_at: string | null;
  last_source_ts: number | string | null;
}

const COLUMNS = 'c.id, c.name, c.email, c.phone, c.address, c.version, c.created_at, c.updated_at, c.deleted_at';

const READ_SQL = `select ${COLUMNS},
       coalesce((select json_agg(to_json(m) order by m.id) from external_mappings m where m.entity_type = 'customer' and m.internal_id = c.id), '[]') as mappings
  from customers c where c.id = $1 and c.deleted_at is null`;
const LIST_SQL = `select ${COLUMNS} from customers c where c.deleted_at is null order by c.id limit $1 offset $2`;
const LIST_BY_EMAIL_SQL = `select ${COLUMNS} from customers c where c.deleted_at is null and c.email = $1 order by c.id limit $2 offset $3`;

export const customerOf = (r: CustomerRow): Customer => ({
  id: r.id,
  name: r.name,
  email: r.email,
  phone: r.phone,
  address: r.address,
  version: r.version,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
  deletedAt: r.deleted_at == null ? null : new Date(r.deleted_at),
});

const mappingOf = (m: MappingJson): ExternalMapping => ({
  id: m.id,
  entityType: m.entity_type,
  internalId: m.internal_id,
  externalSystem: m.external_system,
  externalObjectType: m.external_object_type,
  externalId: m.external_id,
  createdAt: new Date(m.created_at),
  lastSyncedHash: m.last_synced_hash,
  lastSyncedState: m.last_synced_state,
  lastSyncedAt: m.last_synced_at === null ? null : new Date(m.last_synced_at),
  lastSourceTs: m.last_source_ts === null ? null : String(m.last_source_ts),
});

/** A live customer and its mappings (oldest first); undefined when there is none. */
export async function readCustomer(em: EntityManager, id: number): Promise<{ customer: Customer; mappings: ExternalMapping[] } | undefined> {
  const [row] = await prepared<CustomerRow & { mappings: MappingJson[] }>(em, 'customer-read', READ_SQL, [id]);
  return row && { customer: customerOf(row), mappings: row.mappings.map(mappingOf) };
}

/** One page of live customers by id, optionally those with one email. */
export async function listCustomerRows(em: EntityManager, query: { skip: number; limit: number; email?: string | undefined }): Promise<Customer[]> {
  const rows =
    query.email !== undefined
      ? await prepared<CustomerRow>(em, 'customer-list-email', LIST_BY_EMAIL_SQL, [query.email, query.limit, query.skip])
      : await prepared<CustomerRow>(em, 'customer-list', LIST_SQL, [query.limit, query.skip]);
  return rows.map(customerOf);
}
