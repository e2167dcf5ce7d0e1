import type { NeutralChange, SyncedFieldName } from '../types';
import { decodeFieldBitmaps, type AvroField } from './bitmap';
import { addressOf, fromAccount, phoneFieldOf, type AccountRecord, type AccountShape } from './mapping';
import { SYNCED_FIELDS } from '../field-map';

export interface ChangeEventHeader {
  entityName: string;
  recordIds: string[];
  changeType: string;
  changeOrigin: string;
  transactionKey: string;
  sequenceNumber: number;
  commitTimestamp: number;
  changedFields: string[];
  nulledFields: string[];
}

export type AccountChangeEvent = { ChangeEventHeader: ChangeEventHeader } & Record<string, unknown>;

/** What one event means to us: changes (one per record it names), or records whose changes were lost. */
export type DecodedEvent = { changes: NeutralChange[] } | { gapIds: string[] };

const KINDS: Record<string, NeutralChange['kind']> = { CREATE: 'created', UNDELETE: 'created', UPDATE: 'updated', DELETE: 'deleted' };

/** The compound address's parts that carry our address (not Latitude, Longitude, GeocodeAccuracy). */
const ADDRESS_PARTS = ['Street', 'City', 'State', 'PostalCode', 'Country', 'CountryCode', 'StateCode'];

/** A Salesforce field name from changedFields → ours; undefined for fields we do not sync. */
function ourField(name: string, shape: AccountShape): SyncedFieldName | undefined {
  if (name === 'Name') return 'name';
  if (name === phoneFieldOf(shape)) return 'phone';
  if (name === shape.emailField) return 'email';
  const compound = `${addressOf(shape)}Address.`;
  if (name.startsWith(compound) && ADDRESS_PARTS.includes(name.slice(compound.length))) return 'address';
  return undefined;
}

export function changedFieldsOf(fields: readonly AvroField[], header: ChangeEventHeader, shape: AccountShape): SyncedFieldName[] {
  const ours = new Set(decodeFieldBitmaps(fields, header.changedFields).map((f) => ourField(f, shape)));
  return SYNCED_FIELDS.filter((f) => ours.has(f));
}

/** The event's body in REST's flat shape (BillingAddress.City → BillingCity), for the one mapping. */
function asAccount(event: AccountChangeEvent, id: string, shape: AccountShape): AccountRecord {
  const at = addressOf(shape);
  const address = (event[`${at}Address`] ?? {}) as Record<string, unknown>;
  const flat: AccountRecord = { ...event, Id: id, IsDeleted: false };
  for (const part of ADDRESS_PARTS) flat[`${at}${part}`] = address[part] ?? null;
  return flat;
}

/** `com/salesforce/api/rest/64.0;client=<id>`: written through the API by a caller that named itself. */
export function originClient(changeOrigin: string): string | null {
  const match = /(?:^|;)\s*client=([^;]+)/.exec(changeOrigin);
  return match?.[1]?.trim() ?? null;
}

/**
 * One AccountChangeEvent → neutral changes. CREATE and UNDELETE carry the whole record; an UPDATE
 * carries only what changed (the rest is null), so its `customer` is partial and `changedFields`
 * says which of it counts. The event id (transaction, sequence, record) is what Salesforce
 * stores with the event: a redelivery after a replay carries the same one, and a bulk edit's one
 * event still gives each record its own.
 */
export function decodeChangeEvent(event: AccountChangeEvent, fields: readonly AvroField[], shape: AccountShape, ourClientId: string): DecodedEvent {
  const header = event.ChangeEventHeader;
  if (header.changeType.startsWith('GAP_')) return { gapIds: header.recordIds };
  const kind = KINDS[header.changeType];
  if (kind === undefined) return { changes: [] };
  const changedFields = kind === 'updated' ? changedFieldsOf(fields, header, shape) : undefined;
  const ownWrite = originClient(header.changeOrigin) === ourClientId;
  const changes = header.recordIds.map(
    (id): NeutralChange => ({
      action: kind === 'deleted' ? 'delete' : 'upsert',
      kind,
      entityType: 'customer',
      objectType: 'Account',
      externalId: id,
      eventId: `${header.transactionKey}:${header.sequenceNumber}:${id}`,
      eventType: `AccountChangeEvent.${header.changeType}`,
      sourceTs: Math.floor(header.commitTimestamp / 1000),
      sourceTsMs: header.commitTimestamp,
      customer: kind === 'deleted' ? null : fromAccount(asAccount(event, id, shape), shape),
      ...(changedFields !== undefined ? { changedFields, partial: true } : {}),
      ownWrite,
    }),
  );
  return { changes };
}
