import type { CatalogName, FieldMap } from '@cs/integrations';
import type { z } from 'zod';

/**
 * One of our catalogs, declared once (design.md §6): what the sync engine needs to keep its
 * records equal in every connected system. The outbound push (push-record.ts) and the field
 * rules below are written over this shape, never over one catalog.
 */
export interface Catalog<S extends object = object> {
  /** The entity_type of its mappings, outbox rows, sync events and dead letters; the key of a connector's adapter. */
  readonly name: CatalogName;
  /** Its table. Every row has `id`, `version` and `deleted_at`. */
  readonly table: string;
  /**
   * The relation (SQL, with an alias) its synced state is read from, when the table alone does not
   * hold it (invoices: with their lines). Absent: the table.
   */
  readonly readFrom?: string | undefined;
  /** The columns its synced state is read from. */
  readonly columns: readonly string[];
  /** The synced fields, by the names sources' changedFields use. */
  readonly fields: readonly (keyof S & string)[];
  /** What valid fields are, wherever a change comes from (API, a system, a backfill). */
  readonly input: z.ZodType<S>;
  /** The synced state of a row (or of a record read from a system), canonical. */
  state(row: Record<string, unknown>): S;
  sameField(field: keyof S & string, a: S, b: S): boolean;
  /** A stable fingerprint of a state: equal hashes mean "nothing to send". */
  hash(state: S): string;
  /**
   * The deletion rule. `soft`: a deleted record keeps its row (deleted_at set), is deleted in every
   * system, and its mappings stay as tombstone links so late events never resurrect it.
   */
  readonly deletion: 'soft';
  /** The hash a mapping holds once its record is deleted on both sides. */
  readonly deletedHash: string;
  /** Its lifecycle, for catalogs whose records move through states (invoices); absent for customers. */
  readonly lifecycle?: Lifecycle | undefined;
}

/** A status machine: which moves are allowed; terminal states never move again. */
export interface Lifecycle {
  readonly field: string;
  readonly terminal: readonly string[];
  canMove(from: string, to: string): boolean;
}

export function sameRecordState<S extends object>(catalog: Catalog<S>, a: S, b: S): boolean {
  return catalog.fields.every((f) => catalog.sameField(f, a, b));
}

/** The fields of `catalog` that travel `way` with a system, by its field map (a field left out goes both ways). */
export function fieldsGoing<S extends object>(catalog: Catalog<S>, map: FieldMap | undefined, way: 'to' | 'from'): (keyof S & string)[] {
  return catalog.fields.filter((f) => {
    const direction = map?.[f] ?? 'both';
    return direction === 'both' || direction === way;
  });
}

/** Whether every field goes both ways: the common case, where the whole state is written and hashed. */
export function allBothWays<S extends object>(catalog: Catalog<S>, map: FieldMap | undefined): boolean {
  return catalog.fields.every((f) => (map?.[f] ?? 'both') === 'both');
}

/** `state` holding only `fields`: what is written to a system that takes only those. */
export function onlyFields<S extends object>(state: S, fields: readonly (keyof S & string)[]): Partial<S> {
  return Object.fromEntries(fields.map((f) => [f, state[f]])) as Partial<S>;
}

/** The fields a system's field map sends only to it: inbound, its values for them are ignored. */
export function fieldsOnlyTo<S extends object>(catalog: Catalog<S>, map: FieldMap | undefined): (keyof S & string)[] {
  return catalog.fields.filter((f) => map?.[f] === 'to');
}
