import { header } from '../http/io';
import { runQuery } from '../soql/execute';
import { parseSoql } from '../soql/parse';
import { malformedQuery, SfError } from './errors';
import type { RestRequest, RestResult } from './types';

/** `Sforce-Query-Options: batchSize=500` (200..2000 on Salesforce), capped by the emulator's page size. */
function batchSize(r: RestRequest): number {
  const configured = r.state.options.queryBatchSize;
  const raw = /batchSize\s*=\s*(\d+)/i.exec(header(r.req, 'sforce-query-options') ?? '')?.[1];
  if (raw === undefined) return configured;
  return Math.min(configured, Math.max(200, Math.min(2000, Number(raw))));
}

function page(r: RestRequest, rows: Record<string, unknown>[], offset: number, size: number, cursorId: string | null, endpoint: string): RestResult {
  const records = rows.slice(offset, offset + size);
  const next = offset + size;
  const body: Record<string, unknown> = { totalSize: rows.length, done: next >= rows.length, records };
  if (next < rows.length) {
    const id = cursorId ?? r.state.cursors.create(rows, size);
    body['nextRecordsUrl'] = `/services/data/v${r.version}/${endpoint}/${id}-${next}`;
  }
  return { status: 200, body };
}

function run(r: RestRequest, includeDeleted: boolean): RestResult {
  const q = r.query.get('q');
  if (q === null || q.trim() === '') throw malformedQuery('A query string has to be specified (q=)');
  const query = parseSoql(q, r.state.fields);
  const rows = runQuery(query, r.state.store.all(includeDeleted), r.state.fields, r.version);
  return page(r, rows, 0, batchSize(r), null, includeDeleted ? 'queryAll' : 'query');
}

export const query = (r: RestRequest): RestResult => run(r, false);
export const queryAll = (r: RestRequest): RestResult => run(r, true);

/** GET query/{locator}: the next page of an open cursor. */
export function queryMore(r: RestRequest): RestResult {
  const locator = r.parts[1] ?? '';
  const m = /^(01g[A-Za-z0-9]+)-(\d+)$/.exec(locator);
  const cursor = m === null ? undefined : r.state.cursors.get(m[1] ?? '');
  if (m === null || cursor === undefined) throw new SfError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator', undefined);
  return page(r, cursor.rows, Number(m[2]), cursor.batchSize, m[1] ?? '', r.parts[0] ?? 'query');
}
