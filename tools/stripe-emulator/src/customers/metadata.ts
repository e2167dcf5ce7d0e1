import { invalidRequest } from '../stripe/errors';
import { isParamMap, type Param } from '../stripe/form';
import type { Metadata } from './object';

/**
 * A metadata parameter as a change, because Stripe merges it into the existing metadata:
 * `metadata[k]=v` sets, `metadata[k]=` removes, and `metadata=` clears everything.
 */
export interface MetadataChange {
  clear: boolean;
  /** null removes the key. */
  entries: Array<[string, string | null]>;
}

const MAX_KEYS = 50;
const MAX_KEY_LENGTH = 40;
const MAX_VALUE_LENGTH = 500;

export function parseMetadataParam(value: Param, param = 'metadata'): MetadataChange {
  if (value === '') return { clear: true, entries: [] };
  if (!isParamMap(value)) throw invalidRequest('Invalid hash', param);
  const entries: Array<[string, string | null]> = [];
  for (const key of Object.keys(value)) {
    const raw = value[key];
    if (typeof raw !== 'string') throw invalidRequest(`Invalid value type: ${JSON.stringify(raw)} must be a string`, `${param}[${key}]`);
    if (key.length > MAX_KEY_LENGTH) throw invalidRequest(`Invalid key: ${key} must be a string under ${MAX_KEY_LENGTH} characters`, param);
    if (raw.length > MAX_VALUE_LENGTH) throw invalidRequest(`Invalid value: ${raw.slice(0, 20)}... must be a string under ${MAX_VALUE_LENGTH} characters`, param);
    entries.push([key, raw === '' ? null : raw]);
  }
  return { clear: false, entries };
}

export function applyMetadataChange(current: Metadata, change: MetadataChange): Metadata {
  const next: Metadata = Object.create(null) as Metadata;
  if (!change.clear) Object.assign(next, current);
  for (const [key, value] of change.entries) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  if (Object.keys(next).length > MAX_KEYS) {
    throw invalidRequest(`Invalid metadata: metadata cannot have more than ${MAX_KEYS} keys`, 'metadata');
  }
  return next;
}
