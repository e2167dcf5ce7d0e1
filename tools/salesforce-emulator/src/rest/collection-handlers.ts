import type { Transaction } from '../accounts/transaction';
import { toJson } from '../accounts/record';
import { normalizeId } from '../ids';
import { SfError } from './errors';
import { externalIdField, lockCheck } from './sobject-handlers';
import type { RestRequest, RestResult } from './types';

const MAX_RECORDS = 200;

interface SaveResult {
  id?: string;
  success: boolean;
  errors: Array<{ statusCode: string; message: string; fields: string[] }>;
  created?: boolean;
}

const tooMany = (): SfError => new SfError(400, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`, undefined);
const ROLLED_BACK = { statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK', message: 'Record rolled back because not all records were valid and the request was using AllOrNone header', fields: [] };

function readBatch(r: RestRequest): { allOrNone: boolean; records: unknown[] } {
  const body = r.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new SfError(400, 'JSON_PARSER_ERROR', 'The request body must be {"allOrNone": boolean, "records": [...]}', undefined);
  const { allOrNone, records } = body as { allOrNone?: unknown; records?: unknown };
  if (!Array.isArray(records)) throw new SfError(400, 'JSON_PARSER_ERROR', 'records must be an array', undefined);
  if (records.length > MAX_RECORDS) throw tooMany();
  return { allOrNone: allOrNone === true, records };
}

function recordType(record: unknown): string | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const attributes = (record as { attributes?: { type?: unknown } }).attributes;
  return typeof attributes?.type === 'string' ? attributes.type : undefined;
}

/**
 * Runs each record as its own savepoint inside one transaction. With allOrNone, one failure rolls
 * everything back and the records that had succeeded report ALL_OR_NONE_OPERATION_ROLLED_BACK.
 */
function runBatch<T>(r: RestRequest, allOrNone: boolean, items: readonly T[], each: (tx: Transaction, item: T, index: number) => SaveResult, inserts = false): SaveResult[] {
  const service = r.state.accounts;
  const tx = service.begin(r.ctx);
  const results = items.map((item, index): SaveResult => {
    try {
      return service.attempt(tx, () => each(tx, item, index));
    } catch (err) {
      if (!(err instanceof SfError)) throw err;
      return { success: false, errors: [err.collectionError()] };
    }
  });
  if (allOrNone && results.some((res) => !res.success)) {
    service.rollback(tx);
    // A rolled-back insert never existed, so it reports no id.
    const keepId = (res: SaveResult): boolean => res.id !== undefined && !inserts && res.created !== true;
    return results.map((res) => (res.success ? { ...(keepId(res) ? { id: res.id } : {}), success: false, errors: [ROLLED_BACK] } : res));
  }
  service.commit(tx);
  return results;
}

function requireAccount(record: unknown): void {
  const type = recordType(record);
  if (type === undefined) throw new SfError(400, 'INVALID_FIELD', 'No type specified for record: set attributes.type');
  if (type.toLowerCase() !== 'account') throw new SfError(400, 'INVALID_TYPE', `sObject type '${type}' is not supported. The emulator only knows Account.`);
}

export function createMany(r: RestRequest): RestResult {
  const { allOrNone, records } = readBatch(r);
  return {
    status: 200,
    body: runBatch(r, allOrNone, records, (tx, record) => {
      requireAccount(record);
      if ((record as { id?: unknown; Id?: unknown }).id !== undefined || (record as { Id?: unknown }).Id !== undefined) {
        throw new SfError(400, 'INVALID_FIELD', 'cannot specify Id in an insert call', ['Id']);
      }
      lockCheck(r, null);
      return { id: r.state.accounts.create(tx, record), success: true, errors: [] };
    }, true),
  };
}

export function updateMany(r: RestRequest): RestResult {
  const { allOrNone, records } = readBatch(r);
  return {
    status: 200,
    body: runBatch(r, allOrNone, records, (tx, record) => {
      const rawId = (record as { id?: unknown; Id?: unknown }).id ?? (record as { Id?: unknown }).Id;
      if (typeof rawId !== 'string') throw new SfError(400, 'MISSING_ARGUMENT', 'Id not specified in an update call', []);
      const id = normalizeId(rawId);
      if (id === null) throw new SfError(400, 'MALFORMED_ID', `Account ID: id value of incorrect type: ${rawId}`, ['Id']);
      requireAccount(record);
      lockCheck(r, id);
      r.state.accounts.update(tx, id, record, ['id']);
      return { id, success: true, errors: [] };
    }).map((res, i) => (res.id === undefined && !res.success ? { ...withId(records[i]), ...res } : res)),
  };
}

function withId(record: unknown): { id?: string } {
  const raw = (record as { id?: unknown } | null)?.id;
  const id = typeof raw === 'string' ? normalizeId(raw) : null;
  return id === null ? {} : { id };
}

export function deleteMany(r: RestRequest): RestResult {
  const ids = (r.query.get('ids') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (ids.length === 0) throw new SfError(400, 'MISSING_ARGUMENT', 'ids parameter is required', undefined);
  if (ids.length > MAX_RECORDS) throw tooMany();
  const allOrNone = r.query.get('allOrNone') === 'true';
  return {
    status: 200,
    body: runBatch(r, allOrNone, ids, (tx, rawId) => {
      const id = normalizeId(rawId);
      if (id === null) throw new SfError(400, 'MALFORMED_ID', `Account ID: id value of incorrect type: ${rawId}`, []);
      lockCheck(r, id);
      r.state.accounts.remove(tx, id);
      return { id, success: true, errors: [] };
    }).map((res, i) => (res.id === undefined ? { id: normalizeId(ids[i] ?? '') ?? (ids[i] ?? ''), ...res } : res)),
  };
}

export function upsertMany(r: RestRequest): RestResult {
  const ext = externalIdField(r, r.parts[3] ?? '');
  const { allOrNone, records } = readBatch(r);
  const valueOf = (record: unknown): unknown => {
    if (typeof record !== 'object' || record === null) return undefined;
    return Object.entries(record as Record<string, unknown>).find(([k]) => k.toLowerCase() === ext.toLowerCase())?.[1];
  };
  const counts = new Map<string, number>();
  for (const record of records) {
    const v = valueOf(record);
    if (typeof v === 'string') counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return {
    status: 200,
    body: runBatch(r, allOrNone, records, (tx, record) => {
      requireAccount(record);
      const value = valueOf(record);
      if (typeof value !== 'string' || value === '') throw new SfError(400, 'MISSING_ARGUMENT', `${ext} not specified`, [ext]);
      if ((counts.get(value) ?? 0) > 1) throw new SfError(400, 'DUPLICATE_EXTERNAL_ID', `Duplicate external id specified: ${value}`, [ext]);
      lockCheck(r, r.state.store.findByExternalId(value)?.Id ?? null);
      const { id, created } = r.state.accounts.upsert(tx, value, record);
      return { id, success: true, errors: [], created };
    }),
  };
}

/** POST composite/sobjects/Account {ids, fields}: records in request order, null where there is none. */
export function retrieveMany(r: RestRequest): RestResult {
  const { ids, fields } = (typeof r.body === 'object' && r.body !== null ? r.body : {}) as { ids?: unknown; fields?: unknown };
  if (!Array.isArray(ids) || !ids.every((x) => typeof x === 'string')) throw new SfError(400, 'JSON_PARSER_ERROR', 'ids must be an array of record ids', undefined);
  if (!Array.isArray(fields) || fields.length === 0 || !fields.every((x) => typeof x === 'string')) throw new SfError(400, 'JSON_PARSER_ERROR', 'fields must be a non-empty array of field names', undefined);
  if (ids.length > 2000) throw new SfError(400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot retrieve more than 2000 records', undefined);
  const select = fields.map((name) => {
    const def = r.state.fields.get(name);
    if (def !== undefined) return def.name;
    if (name.toLowerCase() === 'billingaddress') return 'BillingAddress';
    throw new SfError(400, 'INVALID_FIELD', `No such column '${name}' on entity 'Account'.`);
  });
  return {
    status: 200,
    body: ids.map((raw) => {
      const id = normalizeId(raw);
      const record = id === null ? undefined : r.state.store.get(id);
      return record === undefined || record.IsDeleted ? null : toJson(record, r.state.fields, r.version, select);
    }),
  };
}
