import { createHash } from 'node:crypto';
import avro from 'avsc';
import { ADDRESS_PARTS, type AccountFields, type AddressPart } from '../accounts/fields';

export const TOPIC_NAME = '/data/AccountChangeEvent';
export const CHANGE_TYPES = ['CREATE', 'UPDATE', 'DELETE', 'UNDELETE', 'GAP_CREATE', 'GAP_UPDATE', 'GAP_DELETE', 'GAP_UNDELETE', 'GAP_OVERFLOW'] as const;

const optional = (type: unknown): { type: unknown[]; default: null } => ({ type: ['null', type], default: null });

const HEADER = {
  type: 'record',
  name: 'ChangeEventHeader',
  fields: [
    { name: 'entityName', type: 'string' },
    { name: 'recordIds', type: { type: 'array', items: 'string' } },
    { name: 'changeType', type: { type: 'enum', name: 'ChangeType', symbols: CHANGE_TYPES } },
    { name: 'changeOrigin', type: 'string' },
    { name: 'transactionKey', type: 'string' },
    { name: 'sequenceNumber', type: 'int' },
    { name: 'commitTimestamp', type: 'long' },
    { name: 'commitNumber', type: 'long' },
    { name: 'commitUser', type: 'string' },
    { name: 'nulledFields', type: { type: 'array', items: 'string' } },
    { name: 'diffFields', type: { type: 'array', items: 'string' } },
    { name: 'changedFields', type: { type: 'array', items: 'string' } },
  ],
};

const ADDRESS = {
  type: 'record',
  name: 'Address',
  fields: ADDRESS_PARTS.map((part) => ({ name: part, ...optional(part === 'Latitude' || part === 'Longitude' ? 'double' : 'string') })),
};

/** Where a REST field lands in the event: a top-level position, or a sub-field of BillingAddress. */
export type FieldSlot = { kind: 'top'; position: number } | { kind: 'address'; position: number; child: number; part: AddressPart };

/**
 * AccountChangeEvent's Avro schema, built from the org's Account fields in Salesforce's layout:
 * the header first, then standard fields, the compound BillingAddress, and custom fields last.
 * Every record field is a union with null, default null. Its id is a hash of the JSON, so it is
 * stable for a given org shape.
 */
export class ChangeEventSchema {
  readonly json: string;
  readonly id: string;
  readonly type: avro.Type;
  readonly topFields: string[];
  private readonly slots = new Map<string, FieldSlot>();

  constructor(fields: AccountFields) {
    const top: Array<{ name: string; type: unknown; default?: null }> = [{ name: 'ChangeEventHeader', type: HEADER }];
    const ordered = [...fields.list.filter((d) => !d.name.endsWith('__c')), ...fields.list.filter((d) => d.name.endsWith('__c'))];
    for (const def of ordered) {
      if (!def.inChangeEvent) continue;
      if (def.addressPart !== undefined) {
        if (!top.some((f) => f.name === 'BillingAddress')) top.push({ name: 'BillingAddress', ...optional(ADDRESS) });
        const position = top.findIndex((f) => f.name === 'BillingAddress');
        this.slots.set(def.name, { kind: 'address', position, child: ADDRESS_PARTS.indexOf(def.addressPart), part: def.addressPart });
        continue;
      }
      this.slots.set(def.name, { kind: 'top', position: top.length });
      top.push({ name: def.name, ...optional(def.type === 'datetime' ? 'long' : 'string') });
    }
    const schema = { type: 'record', name: 'AccountChangeEvent', namespace: 'com.sforce.eventbus', fields: top };
    this.json = JSON.stringify(schema);
    this.id = createHash('sha256').update(this.json).digest('base64url').slice(0, 22);
    this.type = avro.Type.forSchema(schema as avro.Schema);
    this.topFields = top.map((f) => f.name);
  }

  slot(restField: string): FieldSlot | undefined {
    return this.slots.get(restField);
  }
}
