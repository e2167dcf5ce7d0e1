import type { CustomerFields, ExternalCustomer, FieldMap, PostalAddress, SyncedFieldName } from '../types';
import { countryCodeOf, countryNameOf } from './countries';

/** How this org's Account carries our fields (from env). */
export interface AccountShape {
  externalIdField: string;
  emailField: string;
  /** The Account field holding the phone (default the standard Phone; any phone field, custom ones too). */
  phoneField?: string | undefined;
  /** Which of Account's compound addresses is ours: Billing (default) or Shipping. */
  address?: 'Billing' | 'Shipping' | undefined;
  /** `code`: BillingCountryCode (state and country picklists on); `name`: free-text BillingCountry. */
  country: 'code' | 'name';
  fieldMap: FieldMap;
}

/** An Account as REST (and SOQL) answers it; only what we read is typed. */
export type AccountRecord = Record<string, unknown> & { Id: string };

export const phoneFieldOf = (shape: AccountShape): string => shape.phoneField ?? 'Phone';
/** The prefix of the address's fields: BillingCity or ShippingCity, BillingAddress or ShippingAddress. */
export const addressOf = (shape: AccountShape): 'Billing' | 'Shipping' => shape.address ?? 'Billing';

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Our id as the External ID field holds it: a positive integer, or null for anything else. */
export function internalIdOf(value: unknown): number | null {
  const s = typeof value === 'number' ? String(value) : text(value);
  if (s === null || !/^\d+$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** Salesforce datetimes: REST says "2026-12-01T12:00:00.000+0000", change events say epoch ms. */
export function secondsOf(value: unknown): number {
  if (typeof value === 'number') return Math.floor(value / 1000);
  if (typeof value !== 'string') return 0;
  const ms = Date.parse(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
}

export function addressFromAccount(a: Record<string, unknown>, shape: AccountShape): PostalAddress | null {
  const at = addressOf(shape);
  const street = text(a[`${at}Street`]);
  const newline = street?.indexOf('\n') ?? -1;
  const country = shape.country === 'code' ? text(a[`${at}CountryCode`]) : text(a[`${at}Country`]);
  const out: PostalAddress = {
    line1: street === null ? null : text(newline === -1 ? street : street.slice(0, newline)),
    line2: street === null || newline === -1 ? null : text(street.slice(newline + 1)),
    city: text(a[`${at}City`]),
    state: text(a[`${at}State`]),
    postal_code: text(a[`${at}PostalCode`]),
    country: country === null ? null : shape.country === 'code' ? country : countryCodeOf(country),
  };
  return Object.values(out).every((v) => v === null) ? null : out;
}

/** Account → our neutral shape. Salesforce allows nulls where we require values. */
export function fromAccount(a: AccountRecord, shape: AccountShape): ExternalCustomer {
  return {
    externalId: a.Id,
    internalId: internalIdOf(a[shape.externalIdField]),
    deleted: a.IsDeleted === true,
    name: text(a.Name) ?? '',
    email: (text(a[shape.emailField]) ?? '').toLowerCase(),
    phone: text(a[phoneFieldOf(shape)]),
    address: addressFromAccount(a, shape),
    createdTs: secondsOf(a.CreatedDate),
    ...(typeof a.SystemModstamp === 'string' ? { modifiedTs: secondsOf(a.SystemModstamp) } : {}),
  };
}

export function addressToAccount(address: PostalAddress | null, shape: AccountShape): Record<string, string | null> {
  const street = [address?.line1, address?.line2].filter((s): s is string => !!s).join('\n');
  const country = address?.country ?? null;
  const at = addressOf(shape);
  return {
    [`${at}Street`]: street === '' ? null : street,
    [`${at}City`]: address?.city ?? null,
    // No BillingStateCode: the state is sent as text, which orgs with state picklists also accept
    // when it matches a state's name.
    [`${at}State`]: address?.state ?? null,
    [`${at}PostalCode`]: address?.postal_code ?? null,
    ...(shape.country === 'code' ? { [`${at}CountryCode`]: country } : { [`${at}Country`]: country === null ? null : countryNameOf(country) }),
  };
}

/** Whether we write this field to Salesforce: `from` fields are Salesforce's to own. */
export const writes = (shape: AccountShape, field: SyncedFieldName): boolean => shape.fieldMap[field] !== 'from';

/**
 * Our fields → an Account body. A field left out of `fields`, or mapped `from` Salesforce, is not
 * sent; null phone/address are sent as nulls, which clear them (Salesforce stores '' as null too).
 * A create sends Name whatever its direction: Salesforce refuses an Account without one.
 */
export function toAccount(fields: Partial<CustomerFields>, shape: AccountShape, on: 'create' | 'update'): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  // A field left out of `fields` is not sent (an update of only what changed here); a create always names the Account.
  if ((on === 'create' || writes(shape, 'name')) && fields.name !== undefined) body.Name = fields.name;
  if (writes(shape, 'email') && fields.email !== undefined) body[shape.emailField] = fields.email === '' ? null : fields.email.toLowerCase();
  if (writes(shape, 'phone') && fields.phone !== undefined) body[phoneFieldOf(shape)] = fields.phone;
  if (writes(shape, 'address') && fields.address !== undefined) Object.assign(body, addressToAccount(fields.address, shape));
  return body;
}

/** The Account fields a SOQL query reads for the mapping. */
export function accountFields(shape: AccountShape): string[] {
  const at = addressOf(shape);
  const country = shape.country === 'code' ? `${at}CountryCode` : `${at}Country`;
  const address = ['Street', 'City', 'State', 'PostalCode'].map((part) => `${at}${part}`);
  return ['Id', 'IsDeleted', 'Name', phoneFieldOf(shape), ...address, country, 'CreatedDate', 'SystemModstamp', shape.emailField, shape.externalIdField];
}
