import { accountFields, fromAccount, internalIdOf, secondsOf, toAccount, type AccountShape } from './mapping';

const shape: AccountShape = { externalIdField: 'Customer_Sync_Id__c', emailField: 'Billing_Email__c', country: 'code', fieldMap: {} };
const byName: AccountShape = { ...shape, country: 'name' };
const address = { line1: 'Hauptstr. 1', line2: 'Hinterhaus', city: 'Berlin', state: 'BE', postal_code: '10115', country: 'DE' };

const account = {
  Id: '0018d0000000001AAA',
  IsDeleted: false,
  Name: 'Acme',
  Phone: null,
  BillingStreet: 'Hauptstr. 1\nHinterhaus',
  BillingCity: 'Berlin',
  BillingState: 'BE',
  BillingPostalCode: '10115',
  BillingCountry: 'Germany',
  BillingCountryCode: 'DE',
  CreatedDate: '2026-12-01T12:00:00.000+0000',
  Billing_Email__c: 'Billing@Acme.Example',
  Customer_Sync_Id__c: '42',
};

describe('Account mapping', () => {
  it('reads an Account into our terms', () => {
    expect(fromAccount(account, shape)).toEqual({
      externalId: '0018d0000000001AAA',
      internalId: 42,
      deleted: false,
      name: 'Acme',
      email: 'billing@acme.example',
      phone: null,
      address,
      createdTs: Date.UTC(2026, 11, 1, 12) / 1000,
    });
    expect(fromAccount({ ...account, BillingCountryCode: null }, byName).address?.country).toBe('DE');
    expect(fromAccount({ ...account, BillingCountry: 'United Kingdom' }, byName).address?.country).toBe('GB');
    expect(fromAccount({ ...account, BillingCountry: 'Atlantis' }, byName).address?.country).toBe('Atlantis');
    expect(fromAccount({ ...account, IsDeleted: true }, shape).deleted).toBe(true);
    expect(fromAccount({ Id: '001', BillingStreet: 'Only line' }, shape)).toMatchObject({ name: '', email: '', internalId: null, createdTs: 0, address: { line1: 'Only line', line2: null, city: null, country: null } });
    expect(fromAccount({ Id: '001' }, shape).address).toBeNull();
  });

  it('parses our id strictly', () => {
    expect([internalIdOf('42'), internalIdOf(7), internalIdOf('4.2'), internalIdOf('abc'), internalIdOf('0'), internalIdOf(''), internalIdOf(null), internalIdOf('99999999999999999999')]).toEqual([42, 7, null, null, null, null, null, null]);
  });

  it('reads both REST datetimes and change-event milliseconds as seconds', () => {
    expect(secondsOf('2026-12-01T12:00:00.999+0000')).toBe(Date.UTC(2026, 11, 1, 12) / 1000);
    expect(secondsOf(Date.UTC(2026, 11, 1, 12) + 999)).toBe(Date.UTC(2026, 11, 1, 12) / 1000);
    expect(secondsOf(null)).toBe(0);
  });

  it('writes our fields, clearing with nulls and leaving out what is not given', () => {
    expect(toAccount({ name: 'Acme', email: 'A@B.example', phone: null, address }, shape, 'update')).toEqual({
      Name: 'Acme',
      Billing_Email__c: 'a@b.example',
      Phone: null,
      BillingStreet: 'Hauptstr. 1\nHinterhaus',
      BillingCity: 'Berlin',
      BillingState: 'BE',
      BillingPostalCode: '10115',
      BillingCountryCode: 'DE',
    });
    expect(toAccount({ name: 'Acme', email: 'a@b.example' }, shape, 'update')).toEqual({ Name: 'Acme', Billing_Email__c: 'a@b.example' });
    expect(toAccount({ name: 'Acme', email: 'a@b.example', address: null }, byName, 'update')).toMatchObject({ BillingStreet: null, BillingCountry: null });
    expect(toAccount({ name: 'Acme', email: 'a@b.example', address }, byName, 'update')).toMatchObject({ BillingCountry: 'Germany' });
    expect(toAccount({ name: 'Acme', email: 'a@b.example', address }, byName, 'update')).not.toHaveProperty('BillingCountryCode');
  });

  it('never writes a field mapped from Salesforce, but a create still names the Account', () => {
    const fromSf: AccountShape = { ...shape, fieldMap: { name: 'from', phone: 'from', address: 'to' } };
    expect(toAccount({ name: 'Acme', email: 'a@b.example', phone: '1', address: null }, fromSf, 'update')).toEqual({ Billing_Email__c: 'a@b.example', BillingStreet: null, BillingCity: null, BillingState: null, BillingPostalCode: null, BillingCountryCode: null });
    expect(toAccount({ name: 'Acme', email: 'a@b.example', phone: '1' }, fromSf, 'create')).toEqual({ Name: 'Acme', Billing_Email__c: 'a@b.example' });
  });

  it('reads and writes the phone field and the compound address the org configures', () => {
    const other: AccountShape = { ...shape, phoneField: 'Mobile_Phone__c', address: 'Shipping' };
    const shipped = { Id: '001', Name: 'Acme', Phone: '111', Mobile_Phone__c: '+49 30 1', BillingCity: 'Hamburg', ShippingStreet: 'Hauptstr. 1', ShippingCity: 'Berlin', ShippingCountryCode: 'DE' };
    expect(fromAccount(shipped, other)).toMatchObject({ phone: '+49 30 1', address: { line1: 'Hauptstr. 1', city: 'Berlin', country: 'DE' } });
    expect(toAccount({ name: 'Acme', email: 'a@b.example', phone: '+49 30 2', address }, other, 'update')).toEqual({
      Name: 'Acme',
      Billing_Email__c: 'a@b.example',
      Mobile_Phone__c: '+49 30 2',
      ShippingStreet: 'Hauptstr. 1\nHinterhaus',
      ShippingCity: 'Berlin',
      ShippingState: 'BE',
      ShippingPostalCode: '10115',
      ShippingCountryCode: 'DE',
    });
    expect(accountFields(other)).toEqual(expect.arrayContaining(['Mobile_Phone__c', 'ShippingStreet', 'ShippingCountryCode']));
    expect(accountFields(other)).not.toEqual(expect.arrayContaining(['Phone']));
  });
});
