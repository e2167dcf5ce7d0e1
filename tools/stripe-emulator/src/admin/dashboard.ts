import { isValidEmail, parseCustomerParams } from '../customers/params';
import type { Customer, DeletedCustomer } from '../customers/object';
import type { WriteOrigin } from '../events/recorder';
import { newRequestId } from '../ids';
import type { EmulatorState } from '../state';
import { emptyParams, type ParamMap } from '../stripe/form';
import { AdminError, asObject } from './http';

const FIELDS = new Set(['name', 'email', 'description', 'phone', 'address', 'metadata']);

/** A JSON object of strings (or null, which clears) as a form hash; `null` itself clears it all. */
export function hashParam(value: unknown, name: string): ParamMap | '' {
  if (value === null) return '';
  const hash = emptyParams();
  for (const [k, v] of Object.entries(asObject(value))) {
    if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new AdminError(400, `${name}.${k} must be a string or null`);
    }
    hash[k] = v === null ? '' : String(v);
  }
  return hash;
}

/**
 * Turns the dashboard's JSON into the same form parameters the API receives, so a "person in
 * the Stripe dashboard" goes through the exact validation and event path of an API call.
 * `null` (or "") clears a field, an address part or a metadata key, as blanking it in the
 * dashboard would; `address` and `metadata` merge like their API parameters.
 */
function toParams(body: unknown): ParamMap {
  const input = asObject(body);
  const params = emptyParams();
  for (const [key, value] of Object.entries(input)) {
    if (!FIELDS.has(key)) throw new AdminError(400, `unknown field: ${key}`);
    if (key === 'metadata' || key === 'address') {
      params[key] = hashParam(value, key);
    } else if (value === null || typeof value === 'string') {
      params[key] = value ?? '';
    } else {
      throw new AdminError(400, `${key} must be a string or null`);
    }
  }
  return params;
}

// Dashboard edits are exempt from faults, including reject_email_pattern.
// `silent` (?silent=true) makes a change with no event and no webhook: drift for reconcile tests.
const origin = (silent: boolean): WriteOrigin => ({ requestId: newRequestId(), idempotencyKey: null, silent });

export function dashboardCreate(state: EmulatorState, body: unknown, silent = false): Customer {
  return state.customers.create(parseCustomerParams(toParams(body), 'create', null), origin(silent));
}

export function dashboardUpdate(state: EmulatorState, id: string, body: unknown, silent = false): Customer {
  return state.customers.update(id, parseCustomerParams(toParams(body), 'update', null), origin(silent));
}

export function dashboardDelete(state: EmulatorState, id: string, silent = false): DeletedCustomer {
  return state.customers.remove(id, origin(silent));
}

const MAX_SEED = 1_000_000;

export function seed(state: EmulatorState, body: unknown): { created: number } {
  const input = asObject(body);
  for (const key of Object.keys(input)) {
    if (!['count', 'email_prefix', 'name_prefix', 'emit_events'].includes(key)) throw new AdminError(400, `unknown field: ${key}`);
  }
  const { count, email_prefix: emailPrefix = 'seed', name_prefix: namePrefix = 'Seed Customer ', emit_events: emitEvents = false } = input;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > MAX_SEED) {
    throw new AdminError(400, `count must be an integer between 0 and ${MAX_SEED}`);
  }
  if (typeof emailPrefix !== 'string' || typeof namePrefix !== 'string') throw new AdminError(400, 'email_prefix and name_prefix must be strings');
  if (!isValidEmail(`${emailPrefix}0@example.com`)) throw new AdminError(400, `email_prefix does not form a valid email: ${emailPrefix}`);
  if (typeof emitEvents !== 'boolean') throw new AdminError(400, 'emit_events must be a boolean');
  return { created: state.customers.seed({ count, emailPrefix, namePrefix, emitEvents }) };
}
