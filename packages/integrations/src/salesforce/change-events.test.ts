import { decodeFieldBitmaps, type AvroField } from './bitmap';
import { decodeChangeEvent, originClient, type AccountChangeEvent } from './change-events';
import type { AccountShape } from './mapping';

const address: AvroField = { name: 'BillingAddress', type: ['null', { type: 'record', name: 'Address', fields: ['Street', 'City', 'State', 'PostalCode', 'Country', 'StateCode', 'CountryCode', 'Latitude', 'Longitude', 'GeocodeAccuracy'].map((name) => ({ name, type: ['null', 'string'] })) }] };
// The emulator's (and a real org's) layout: header first, standard fields, the compound address, custom fields last.
const plain = (...names: string[]): AvroField[] => names.map((name) => ({ name, type: ['null', 'string'] }));
const fields: AvroField[] = [...plain('ChangeEventHeader', 'Name', 'Phone'), address, ...plain('Description', 'LastModifiedDate', 'Billing_Email__c', 'Customer_Sync_Id__c')];
const shape: AccountShape = { externalIdField: 'Customer_Sync_Id__c', emailField: 'Billing_Email__c', country: 'code', fieldMap: {} };

const header = (over: Partial<AccountChangeEvent['ChangeEventHeader']>): AccountChangeEvent['ChangeEventHeader'] => ({
  entityName: 'Account',
  recordIds: ['001A'],
  changeType: 'UPDATE',
  changeOrigin: 'com/salesforce/api/rest/64.0;client=sync',
  transactionKey: 'tx',
  sequenceNumber: 3,
  commitTimestamp: 1_796_160_740_752,
  changedFields: [],
  nulledFields: [],
  ...over,
});

describe('change events', () => {
  it('decodes changedFields bitmaps, nested compound fields included', () => {
    // bits 2 (Phone) and 5 (LastModifiedDate); BillingAddress (position 3) parts 1 (City) and 6 (CountryCode).
    expect(decodeFieldBitmaps(fields, ['0x24', '3-0x42'])).toEqual(['Phone', 'LastModifiedDate', 'BillingAddress.City', 'BillingAddress.CountryCode']);
    expect(decodeFieldBitmaps(fields, ['0x'])).toEqual([]);
    expect(() => decodeFieldBitmaps(fields, ['Name'])).toThrow('not a field bitmap');
  });

  it('turns one UPDATE naming two records into two partial changes in our field names', () => {
    const event = { ChangeEventHeader: header({ recordIds: ['001A', '001B'], changedFields: ['0x60', '3-0x01'] }), Name: null, Phone: null, Billing_Email__c: 'X@Y.example', BillingAddress: { Street: 'S' } } as AccountChangeEvent;
    const decoded = decodeChangeEvent(event, fields, shape, 'sync');
    expect('changes' in decoded && decoded.changes.map((c) => [c.externalId, c.eventId, c.changedFields, c.partial, c.ownWrite, c.sourceTs, c.sourceTsMs])).toEqual([
      ['001A', 'tx:3:001A', ['email', 'address'], true, true, 1_796_160_740, 1_796_160_740_752],
      ['001B', 'tx:3:001B', ['email', 'address'], true, true, 1_796_160_740, 1_796_160_740_752],
    ]);
  });

  it('reads GAP_* events as records to reconcile, and tells our writes from others', () => {
    expect(decodeChangeEvent({ ChangeEventHeader: header({ changeType: 'GAP_DELETE', recordIds: ['001C'] }) } as AccountChangeEvent, fields, shape, 'sync')).toEqual({ gapIds: ['001C'] });
    expect(originClient('com/salesforce/api/rest/64.0;client=sync')).toBe('sync');
    expect(originClient('com/salesforce/api/rest/64.0')).toBeNull();
    expect(originClient('')).toBeNull();
  });

  it('reads the configured phone field and compound address from an event', () => {
    const shipping: AvroField = { ...address, name: 'ShippingAddress' };
    const orgFields: AvroField[] = [...plain('ChangeEventHeader', 'Name', 'Phone'), address, shipping, ...plain('Description', 'Mobile_Phone__c', 'Billing_Email__c', 'Customer_Sync_Id__c')];
    const other: AccountShape = { ...shape, phoneField: 'Mobile_Phone__c', address: 'Shipping' };
    // bits 2 (Phone) and 6 (Mobile_Phone__c); BillingAddress (3) part 1 (City); ShippingAddress (4) part 1 (City).
    const event = { ChangeEventHeader: header({ changedFields: ['0x44', '3-0x02', '4-0x02'] }), Mobile_Phone__c: '+49 30 1', ShippingAddress: { City: 'Berlin' }, BillingAddress: { City: 'Hamburg' } } as AccountChangeEvent;
    const decoded = decodeChangeEvent(event, orgFields, other, 'sync');
    const [change] = 'changes' in decoded ? decoded.changes : [];
    expect(change?.changedFields).toEqual(['phone', 'address']);
    expect(change?.customer).toMatchObject({ phone: '+49 30 1', address: { city: 'Berlin' } });
  });
});
