import { parseSfDateTime, sfDateTime } from '../clock';
import { SfError } from './errors';
import type { RestRequest, RestResult } from './types';

export function limits(r: RestRequest): RestResult {
  const { used, max } = r.state.quota;
  return { status: 200, body: { DailyApiRequests: { Max: max, Remaining: Math.max(0, max - used) } } };
}

export function resources(r: RestRequest): RestResult {
  const base = `/services/data/v${r.version}`;
  return { status: 200, body: { sobjects: `${base}/sobjects`, query: `${base}/query`, queryAll: `${base}/queryAll`, limits: `${base}/limits`, composite: `${base}/composite` } };
}

function window(r: RestRequest): { start: number; latest: number } {
  const start = parseSfDateTime(r.query.get('start') ?? '');
  const end = parseSfDateTime(r.query.get('end') ?? '');
  if (Number.isNaN(start) || Number.isNaN(end)) throw new SfError(400, 'INVALID_REPLICATION_DATE', 'start and end must be ISO-8601 date-times, e.g. 2026-01-01T00:00:00Z', undefined);
  if (start >= end) throw new SfError(400, 'INVALID_REPLICATION_DATE', 'start must be before end', undefined);
  // Salesforce covers whole minutes only, and never past "now".
  const latest = Math.floor(Math.min(end, r.state.clock()) / 60_000) * 60_000;
  return { start, latest };
}

/** GET sobjects/Account/updated?start=&end=: ids whose SystemModstamp falls in the covered window. */
export function updated(r: RestRequest): RestResult {
  const { start, latest } = window(r);
  const ids = r.state.store.all(false).filter((a) => a.SystemModstamp >= start && a.SystemModstamp < latest).map((a) => a.Id);
  return { status: 200, body: { ids, latestDateCovered: sfDateTime(latest) } };
}

export function deleted(r: RestRequest): RestResult {
  const { start, latest } = window(r);
  const deletedRecords = r.state.store
    .all(true)
    .filter((a) => a.deletedAt !== null && a.deletedAt >= start && a.deletedAt < latest)
    .map((a) => ({ id: a.Id, deletedDate: sfDateTime(a.deletedAt ?? 0) }));
  return { status: 200, body: { deletedRecords, earliestDateAvailable: sfDateTime(r.state.startedAt), latestDateCovered: sfDateTime(latest) } };
}

const DESCRIBE_TYPES: Record<string, string> = { id: 'id', string: 'string', textarea: 'textarea', phone: 'phone', email: 'email', datetime: 'datetime', boolean: 'boolean', reference: 'reference', picklist: 'picklist' };

/** A trimmed describe: enough for a connector to check that the fields it maps exist and are writable. */
export function describeAccount(r: RestRequest): RestResult {
  const ext = r.state.fields.shape.externalIdField;
  const fields = r.state.fields.list.map((d) => ({
    name: d.name,
    label: d.label,
    type: DESCRIBE_TYPES[d.type] ?? 'string',
    length: d.maxLength ?? 0,
    createable: d.writable,
    updateable: d.writable,
    nillable: d.name !== 'Name' && d.writable,
    externalId: d.name === ext,
    unique: d.name === ext,
    custom: d.name.endsWith('__c'),
  }));
  return { status: 200, body: { name: 'Account', label: 'Account', keyPrefix: '001', custom: false, createable: true, updateable: true, deletable: true, queryable: true, fields } };
}
