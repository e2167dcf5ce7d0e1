import { SfError, invalidField, jsonParseError } from '../rest/errors';
import { COUNTRIES, countryCodeForName } from './countries';
import type { AccountFields, FieldDef } from './fields';
import type { FieldValue } from './record';

// The pragmatic subset of RFC 5322 Salesforce applies: local@domain.tld, no spaces.
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

function coerce(def: FieldDef, raw: unknown): FieldValue {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  if (typeof raw !== 'string') throw jsonParseError(`Cannot deserialize instance of ${def.type} from ${Array.isArray(raw) ? 'START_ARRAY' : typeof raw === 'object' ? 'START_OBJECT' : 'VALUE_TRUE'} value for field ${def.name}`);
  // Salesforce stores an empty text value as null.
  return raw === '' ? null : raw;
}

function check(def: FieldDef, value: FieldValue): void {
  if (value === null) return;
  if (def.maxLength !== undefined && value.length > def.maxLength) {
    throw new SfError(400, 'STRING_TOO_LONG', `${def.label}: data value too large: ${value.slice(0, 100)} (max length=${def.maxLength})`, [def.name]);
  }
  if (def.type === 'email' && !EMAIL.test(value)) {
    throw new SfError(400, 'INVALID_EMAIL_ADDRESS', `${def.label}: invalid email address: ${value}`, [def.name]);
  }
}

const badCountry = (field: string, label: string): SfError =>
  new SfError(400, 'FIELD_INTEGRITY_EXCEPTION', `There's a problem with this country, even though it may appear correct. Please select a country/territory from the list of valid countries.: ${label}`, [field]);

/** With state/country picklists the code is the truth and the name follows it (either may be sent). */
function reconcileCountry(values: Record<string, FieldValue>): void {
  const hasCode = 'BillingCountryCode' in values;
  const hasName = 'BillingCountry' in values;
  if (!hasCode && !hasName) return;
  const code = values['BillingCountryCode'] ?? null;
  const name = values['BillingCountry'] ?? null;
  if (hasCode && code !== null) {
    const upper = code.toUpperCase();
    const canonical = COUNTRIES.get(upper);
    if (canonical === undefined) throw badCountry('BillingCountryCode', 'Billing Country Code');
    if (hasName && name !== null && name.toLowerCase() !== canonical.toLowerCase()) throw badCountry('BillingCountry', 'Billing Country');
    values['BillingCountryCode'] = upper;
    values['BillingCountry'] = canonical;
    return;
  }
  if (hasName && name !== null) {
    const derived = countryCodeForName(name);
    if (derived === undefined) throw badCountry('BillingCountry', 'Billing Country');
    values['BillingCountryCode'] = derived;
    values['BillingCountry'] = COUNTRIES.get(derived) ?? name;
    return;
  }
  values['BillingCountryCode'] = null;
  values['BillingCountry'] = null;
}

/**
 * Turns a JSON body into canonical field values, or throws the error Salesforce would give.
 * `attributes` is ignored; `skip` names fields the caller has already consumed (Id, the external id).
 */
export function parseAccountInput(fields: AccountFields, input: unknown, mode: 'create' | 'update', skip: readonly string[] = []): Record<string, FieldValue> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw jsonParseError('The request body must be a JSON object');
  const values: Record<string, FieldValue> = {};
  const skipped = new Set(skip.map((s) => s.toLowerCase()));
  for (const [key, raw] of Object.entries(input as Record<string, unknown>)) {
    if (key === 'attributes' || skipped.has(key.toLowerCase())) continue;
    const def = fields.get(key);
    if (def === undefined) throw invalidField(`No such column '${key}' on sobject of type Account`);
    if (!def.writable) {
      throw new SfError(400, 'INVALID_FIELD_FOR_INSERT_UPDATE', `Unable to create/update fields: ${def.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`, [def.name]);
    }
    const value = coerce(def, raw);
    check(def, value);
    values[def.name] = value;
  }
  if (fields.shape.stateCountryPicklists) reconcileCountry(values);
  const nameMissing = mode === 'create' ? (values['Name'] ?? null) === null : 'Name' in values && values['Name'] === null;
  if (nameMissing) throw new SfError(400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [Name]', ['Name']);
  return values;
}
