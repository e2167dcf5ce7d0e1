import { AccountFields } from '../accounts/fields';
import { decodeFieldList } from '../test/bitmap-decoder';
import { bitmapHex, encodeFieldList } from './bitmap';
import { ChangeEventSchema } from './schema';

const schema = new ChangeEventSchema(new AccountFields({ externalIdField: 'Customer_Sync_Id__c', emailField: 'Billing_Email__c', stateCountryPicklists: true }));

describe('field bitmaps', () => {
  it('encodes positions as Salesforce documents them (upper-case hex, whole bytes)', () => {
    expect(bitmapHex([5, 6, 7, 10, 24, 26, 29, 30])).toBe('0x650004E0');
    expect(bitmapHex([4])).toBe('0x10');
    expect(bitmapHex([1, 2])).toBe('0x06');
    expect(bitmapHex([1, 2, 3, 4, 5])).toBe('0x3E');
    expect(bitmapHex([])).toBe('0x');
  });

  it('round-trips top-level and compound fields through an independent decoder', () => {
    const names = ['Name', 'Phone', 'BillingCity', 'BillingPostalCode', 'Billing_Email__c', 'LastModifiedDate'];
    const encoded = encodeFieldList(schema, names);
    const address = schema.topFields.indexOf('BillingAddress');
    expect(encoded).toEqual([expect.stringMatching(/^0x[0-9A-F]+$/), `${address}-0x0A`]);
    expect(decodeFieldList(schema.json, encoded).sort()).toEqual(['BillingAddress.City', 'BillingAddress.PostalCode', 'Billing_Email__c', 'LastModifiedDate', 'Name', 'Phone']);
  });

  it('keeps the top-level element when only compound sub-fields are listed', () => {
    const encoded = encodeFieldList(schema, ['BillingStreet']);
    expect(encoded[0]).toBe('0x');
    expect(decodeFieldList(schema.json, encoded)).toEqual(['BillingAddress.Street']);
    expect(encodeFieldList(schema, [])).toEqual([]);
  });
});
