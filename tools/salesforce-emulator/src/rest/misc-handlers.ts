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
