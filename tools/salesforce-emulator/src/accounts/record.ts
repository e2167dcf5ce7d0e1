import { sfDateTime } from '../clock';
import type { AccountFields } from './fields';

export type FieldValue = string | null;

/** One Account as stored. Writable fields live in `fields`, keyed by their canonical names. */
export interface AccountRecord {
  Id: string;
  IsDeleted: boolean;
  fields: Record<string, FieldValue>;
  OwnerId: string;
  CreatedDate: number;
  CreatedById: string;
  LastModifiedDate: number;
  LastModifiedById: string;
  SystemModstamp: number;
  /** When it went to the recycle bin. */
  deletedAt: number | null;
}

export function cloneRecord(r: AccountRecord): AccountRecord {
  return { ...r, fields: { ...r.fields } };
}

/** The value of any field by canonical name, in its REST JSON form. */
export function readField(r: AccountRecord, name: string): string | boolean | null {
  switch (name) {
    case 'Id': return r.Id;
    case 'IsDeleted': return r.IsDeleted;
    case 'OwnerId': return r.OwnerId;
    case 'CreatedDate': return sfDateTime(r.CreatedDate);
    case 'CreatedById': return r.CreatedById;
    case 'LastModifiedDate': return sfDateTime(r.LastModifiedDate);
    case 'LastModifiedById': return r.LastModifiedById;
    case 'SystemModstamp': return sfDateTime(r.SystemModstamp);
    default: return r.fields[name] ?? null;
  }
}

/** Comparable value for SOQL: datetimes as ms, everything else as in JSON. */
export function sortValue(r: AccountRecord, name: string): string | number | boolean | null {
  switch (name) {
    case 'CreatedDate': return r.CreatedDate;
    case 'LastModifiedDate': return r.LastModifiedDate;
    case 'SystemModstamp': return r.SystemModstamp;
    default: return readField(r, name);
  }
}

function billingAddress(r: AccountRecord, fields: AccountFields): Record<string, unknown> | null {
  const parts = fields.addressFields;
  if (parts.every((d) => (r.fields[d.name] ?? null) === null)) return null;
  const out: Record<string, unknown> = {};
  for (const d of parts) {
    const part = d.addressPart ?? '';
    out[part.charAt(0).toLowerCase() + part.slice(1)] = r.fields[d.name] ?? null;
  }
  return { ...out, geocodeAccuracy: null, latitude: null, longitude: null };
}

/** REST JSON of a record; `select` (canonical names, or BillingAddress) limits the fields. */
export function toJson(r: AccountRecord, fields: AccountFields, apiVersion: string, select?: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: { type: 'Account', url: `/services/data/v${apiVersion}/sobjects/Account/${r.Id}` } };
  const names = select ?? [...fields.list.map((d) => d.name), 'BillingAddress'];
  for (const name of names) out[name] = name === 'BillingAddress' ? billingAddress(r, fields) : readField(r, name);
  return out;
}
