import { emailInvalid, invalidRequest, parameterMissing, parameterUnknown, stringTooLong } from '../stripe/errors';
import { isParamMap, type Param, type ParamMap } from '../stripe/form';
import { assertKnownParams, optionalInteger, optionalString, optionalStringList } from '../stripe/params';
import { applyMetadataChange, parseMetadataParam, type MetadataChange } from './metadata';
import type { Address, CustomerFields, Shipping, TaxExempt } from './object';

/** What a create/update request asks to change; absent keys stay as they are. */
export interface CustomerPatch {
  fields: Partial<Omit<CustomerFields, 'metadata' | 'address'>>;
  address?: AddressChange;
  metadata?: MetadataChange;
}

/**
 * An address parameter as a change. Like metadata it merges: `address[city]=X` sets one part
 * and keeps the others, `address[line2]=` clears one part, and `address=` clears the address.
 */
export type AddressChange = { clear: true } | { clear: false; parts: Partial<Address> };

// Everything Stripe accepts on these endpoints. Parameters we do not model are accepted and
// ignored so real integrations that send them keep working.
const COMMON = ['address', 'balance', 'business_name', 'cash_balance', 'coupon', 'description', 'email', 'expand', 'individual_name', 'invoice_prefix', 'invoice_settings', 'metadata', 'name', 'next_invoice_sequence', 'phone', 'preferred_locales', 'promotion_code', 'shipping', 'source', 'tax', 'tax_exempt', 'validate'];
export const CREATE_PARAMS: ReadonlySet<string> = new Set([...COMMON, 'payment_method', 'tax_id_data', 'test_clock']);
export const UPDATE_PARAMS: ReadonlySet<string> = new Set([...COMMON, 'default_source']);

const ADDRESS_KEYS = ['city', 'country', 'line1', 'line2', 'postal_code', 'state'] as const;
const TAX_EXEMPT: readonly TaxExempt[] = ['none', 'exempt', 'reverse'];

// Deliberately close to what Stripe accepts: one @, a dotted domain with a 2+ letter TLD,
// Unicode letters allowed. Stripe rejects "foo", "foo@bar", "a b@c.com".
const EMAIL = /^[\p{L}\p{N}.!#$%&'*+/=?^_`{|}~-]+@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+\p{L}{2,}$/u;

export function isValidEmail(email: string): boolean {
  return EMAIL.test(email) && !email.startsWith('.') && !email.includes('..') && !email.includes('.@');
}

function boundedString(params: ParamMap, name: string, max: number): string | null | undefined {
  const value = optionalString(params, name);
  if (value === undefined) return undefined;
  if (value === '') return null; // Stripe treats "" as "unset this field"
  if (value.length > max) throw stringTooLong(name, value, max);
  return value;
}

function parseEmail(params: ParamMap, rejectEmail: RegExp | null): string | null | undefined {
  const email = boundedString(params, 'email', 512);
  if (email === undefined || email === null) return email;
  if (!isValidEmail(email)) throw emailInvalid(email);
  // The configured fault answers exactly as Stripe does for a bad address: a permanent 400.
  if (rejectEmail !== null && rejectEmail.test(email)) throw emailInvalid(email);
  return email;
}

function parseAddressParts(value: Param, param: string): Partial<Address> {
  if (!isParamMap(value)) throw invalidRequest('Invalid hash', param);
  const parts: Partial<Address> = {};
  for (const key of Object.keys(value)) {
    if (!(ADDRESS_KEYS as readonly string[]).includes(key)) throw parameterUnknown(`${param}[${key}]`);
    const part = value[key];
    if (typeof part !== 'string') throw invalidRequest(`Invalid string: ${JSON.stringify(part)}`, `${param}[${key}]`);
    if (part.length > 5000) throw stringTooLong(`${param}[${key}]`, part, 5000);
    parts[key as (typeof ADDRESS_KEYS)[number]] = part === '' ? null : part;
  }
  return parts;
}

function parseAddress(value: Param, param: string): AddressChange {
  return value === '' ? { clear: true } : { clear: false, parts: parseAddressParts(value, param) };
}

export function applyAddressChange(current: Address | null, change: AddressChange): Address | null {
  if (change.clear) return null;
  return { ...(current ?? emptyAddress()), ...change.parts };
}

function parseShipping(value: Param): Shipping | null {
  if (value === '') return null;
  if (!isParamMap(value)) throw invalidRequest('Invalid hash', 'shipping');
  for (const key of Object.keys(value)) {
    if (key !== 'address' && key !== 'name' && key !== 'phone') throw parameterUnknown(`shipping[${key}]`);
  }
  if (value['address'] === undefined) throw parameterMissing('shipping[address]');
  const name = optionalString(value, 'name');
  if (name === undefined || name === '') throw parameterMissing('shipping[name]');
  const phone = optionalString(value, 'phone');
  // A shipping address is always sent whole (name is required beside it), so it replaces.
  const address = value['address'] === '' ? emptyAddress() : { ...emptyAddress(), ...parseAddressParts(value['address'], 'shipping[address]') };
  return { address, name, phone: phone === undefined || phone === '' ? null : phone };
}

function emptyAddress(): Address {
  return { city: null, country: null, line1: null, line2: null, postal_code: null, state: null };
}

export function parseCustomerParams(params: ParamMap, mode: 'create' | 'update', rejectEmail: RegExp | null): CustomerPatch {
  assertKnownParams(params, mode === 'create' ? CREATE_PARAMS : UPDATE_PARAMS);
  const fields: CustomerPatch['fields'] = {};
  const name = boundedString(params, 'name', 256);
  if (name !== undefined) fields.name = name;
  const email = parseEmail(params, rejectEmail);
  if (email !== undefined) fields.email = email;
  const description = boundedString(params, 'description', 5000);
  if (description !== undefined) fields.description = description;
  const phone = boundedString(params, 'phone', 20);
  if (phone !== undefined) fields.phone = phone;
  const balance = optionalInteger(params, 'balance');
  if (balance !== undefined) fields.balance = balance;
  const locales = optionalStringList(params, 'preferred_locales');
  if (locales !== undefined) fields.preferred_locales = locales;
  const taxExempt = optionalString(params, 'tax_exempt');
  if (taxExempt !== undefined) {
    const normalized = taxExempt === '' ? 'none' : taxExempt;
    if (!(TAX_EXEMPT as readonly string[]).includes(normalized)) {
      throw invalidRequest(`Invalid tax_exempt: must be one of none, exempt, or reverse`, 'tax_exempt');
    }
    fields.tax_exempt = normalized as TaxExempt;
  }
  if (params['shipping'] !== undefined) fields.shipping = parseShipping(params['shipping']);
  const patch: CustomerPatch = { fields };
  if (params['address'] !== undefined) patch.address = parseAddress(params['address'], 'address');
  if (params['metadata'] !== undefined) patch.metadata = parseMetadataParam(params['metadata']);
  return patch;
}

export function applyCustomerPatch(base: CustomerFields, patch: CustomerPatch): CustomerFields {
  const next: CustomerFields = { ...base, ...patch.fields };
  if (patch.address !== undefined) next.address = applyAddressChange(base.address, patch.address);
  if (patch.metadata !== undefined) next.metadata = applyMetadataChange(base.metadata, patch.metadata);
  return next;
}
