import { toJson } from '../accounts/record';
import { normalizeId } from '../ids';
import { invalidField, notFound, SfError, unableToLockRow } from './errors';
import type { RestRequest, RestResult } from './types';

export function idFromPath(raw: string): string {
  const id = normalizeId(raw);
  if (id === null) throw new SfError(400, 'MALFORMED_ID', `Account ID: id value of incorrect type: ${raw}`);
  if (!id.startsWith('001')) throw notFound();
  return id;
}

/** The external id field named in an upsert URL must be the org's External ID field. */
export function externalIdField(r: RestRequest, raw: string): string {
  const ext = r.state.fields.shape.externalIdField;
  if (raw.toLowerCase() !== ext.toLowerCase()) throw notFound(`Provided external ID field does not exist or is not accessible: ${raw}`);
  return ext;
}

export function lockCheck(r: RestRequest, id: string | null): void {
  if (r.state.faults.takeLockFailure()) throw unableToLockRow(id);
}

function selectFields(r: RestRequest): string[] | undefined {
  const raw = r.query.get('fields');
  if (raw === null || raw.trim() === '') return undefined;
  return raw.split(',').map((name) => {
    const trimmed = name.trim();
    const def = r.state.fields.get(trimmed);
    if (def !== undefined) return def.name;
    if (trimmed.toLowerCase() === 'billingaddress') return 'BillingAddress';
    throw invalidField(`No such column '${trimmed}' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.`);
  });
}

export function createAccount(r: RestRequest): RestResult {
  lockCheck(r, null);
  const id = r.state.accounts.run(r.ctx, (tx) => r.state.accounts.create(tx, r.body, ['Id']));
  return { status: 201, body: { id, success: true, errors: [] } };
}

export function getAccount(r: RestRequest): RestResult {
  const record = r.state.store.get(idFromPath(r.parts[2] ?? ''));
  if (record === undefined || record.IsDeleted) throw notFound();
  return { status: 200, body: toJson(record, r.state.fields, r.version, selectFields(r)) };
}

export function updateAccount(r: RestRequest): RestResult {
  const id = idFromPath(r.parts[2] ?? '');
  lockCheck(r, id);
  r.state.accounts.run(r.ctx, (tx) => r.state.accounts.update(tx, id, r.body, ['Id']));
  return { status: 204 };
}

export function deleteAccount(r: RestRequest): RestResult {
  const id = idFromPath(r.parts[2] ?? '');
  lockCheck(r, id);
  r.state.accounts.run(r.ctx, (tx) => r.state.accounts.remove(tx, id));
  return { status: 204 };
}

export function getByExternalId(r: RestRequest): RestResult {
  externalIdField(r, r.parts[2] ?? '');
  const record = r.state.store.findByExternalId(r.parts[3] ?? '');
  if (record === undefined) throw notFound();
  return { status: 200, body: toJson(record, r.state.fields, r.version, selectFields(r)) };
}

export function upsertByExternalId(r: RestRequest): RestResult {
  externalIdField(r, r.parts[2] ?? '');
  const value = r.parts[3] ?? '';
  lockCheck(r, r.state.store.findByExternalId(value)?.Id ?? null);
  const { id, created } = r.state.accounts.run(r.ctx, (tx) => r.state.accounts.upsert(tx, value, r.body));
  return { status: created ? 201 : 200, body: { id, success: true, errors: [], created } };
}
