/** What the emulated org knows about Account: one list, read by validation, SOQL and the CDC schema. */
export type FieldType = 'id' | 'string' | 'textarea' | 'phone' | 'email' | 'datetime' | 'boolean' | 'reference' | 'picklist';

export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  /** Writable through the API (create and update). */
  writable: boolean;
  maxLength?: number;
  /** Sub-field of the compound BillingAddress: its name inside the Address record. */
  addressPart?: AddressPart;
  /** In AccountChangeEvent (IsDeleted and SystemModstamp are not, as on Salesforce). */
  inChangeEvent: boolean;
}

export const ADDRESS_PARTS = ['Street', 'City', 'State', 'PostalCode', 'Country', 'StateCode', 'CountryCode', 'Latitude', 'Longitude', 'GeocodeAccuracy'] as const;
export type AddressPart = (typeof ADDRESS_PARTS)[number];

export interface OrgShape {
  externalIdField: string;
  emailField: string;
  /** State and country/territory picklists enabled: BillingCountryCode exists and is validated. */
  stateCountryPicklists: boolean;
}

export class AccountFields {
  readonly list: FieldDef[];
  private readonly byLower = new Map<string, FieldDef>();

  constructor(readonly shape: OrgShape) {
    const f = (name: string, label: string, type: FieldType, writable: boolean, extra: Partial<FieldDef> = {}): FieldDef => ({ name, label, type, writable, inChangeEvent: true, ...extra });
    this.list = [
      f('Id', 'Account ID', 'id', false, { inChangeEvent: false }),
      f('IsDeleted', 'Deleted', 'boolean', false, { inChangeEvent: false }),
      f('Name', 'Account Name', 'string', true, { maxLength: 255 }),
      f('Phone', 'Account Phone', 'phone', true, { maxLength: 40 }),
      f('BillingStreet', 'Billing Street', 'textarea', true, { maxLength: 255, addressPart: 'Street' }),
      f('BillingCity', 'Billing City', 'string', true, { maxLength: 40, addressPart: 'City' }),
      f('BillingState', 'Billing State/Province', 'string', true, { maxLength: 80, addressPart: 'State' }),
      f('BillingPostalCode', 'Billing Zip/Postal Code', 'string', true, { maxLength: 20, addressPart: 'PostalCode' }),
      f('BillingCountry', 'Billing Country', 'string', true, { maxLength: 80, addressPart: 'Country' }),
      ...(shape.stateCountryPicklists ? [f('BillingCountryCode', 'Billing Country Code', 'picklist', true, { addressPart: 'CountryCode' })] : []),
      f('Description', 'Account Description', 'textarea', true, { maxLength: 32000 }),
      f('OwnerId', 'Owner ID', 'reference', false),
      f('CreatedDate', 'Created Date', 'datetime', false),
      f('CreatedById', 'Created By ID', 'reference', false),
      f('LastModifiedDate', 'Last Modified Date', 'datetime', false),
      f('LastModifiedById', 'Last Modified By ID', 'reference', false),
      f('SystemModstamp', 'System Modstamp', 'datetime', false, { inChangeEvent: false }),
      f(shape.emailField, 'Billing Email', 'email', true, { maxLength: 80 }),
      f(shape.externalIdField, 'Customer Sync Id', 'string', true, { maxLength: 255 }),
    ];
    for (const def of this.list) this.byLower.set(def.name.toLowerCase(), def);
  }

  /** Field names are case-insensitive on Salesforce. */
  get(name: string): FieldDef | undefined {
    return this.byLower.get(name.toLowerCase());
  }

  /** Selectable in SOQL and ?fields=: every field plus the compound BillingAddress. */
  isSelectable(name: string): boolean {
    return this.get(name) !== undefined || name.toLowerCase() === 'billingaddress';
  }

  get addressFields(): FieldDef[] {
    return this.list.filter((d) => d.addressPart !== undefined);
  }
}
