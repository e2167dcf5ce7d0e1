import type { ChangeRecord } from '../accounts/changes';
import { ADDRESS_PARTS } from '../accounts/fields';
import { encodeFieldList } from './bitmap';
import type { ChangeEventSchema } from './schema';

export interface HeaderExtras {
  transactionKey: string;
  sequenceNumber: number;
  commitNumber: number;
}

/** The Avro payload of one change: unchanged fields are null, as on the Pub/Sub API. */
export function encodeChange(schema: ChangeEventSchema, change: ChangeRecord, extras: HeaderExtras): Buffer {
  const event: Record<string, unknown> = {};
  for (const name of schema.topFields) event[name] = null;
  let address: Record<string, unknown> | null = null;
  for (const [name, value] of Object.entries(change.values)) {
    const slot = schema.slot(name);
    if (slot === undefined || value === null) continue;
    if (slot.kind === 'top') {
      event[schema.topFields[slot.position] ?? name] = value;
    } else {
      address ??= Object.fromEntries(ADDRESS_PARTS.map((part) => [part, null]));
      address[slot.part] = value;
    }
  }
  if (address !== null) event['BillingAddress'] = address;
  event['ChangeEventHeader'] = {
    entityName: 'Account',
    recordIds: change.recordIds,
    changeType: change.changeType,
    changeOrigin: change.changeOrigin,
    transactionKey: extras.transactionKey,
    sequenceNumber: extras.sequenceNumber,
    commitTimestamp: change.commitTimestamp,
    commitNumber: extras.commitNumber,
    commitUser: change.commitUser,
    nulledFields: encodeFieldList(schema, change.nulledFields),
    diffFields: [],
    changedFields: encodeFieldList(schema, change.changedFields),
  };
  return schema.type.toBuffer(event);
}
