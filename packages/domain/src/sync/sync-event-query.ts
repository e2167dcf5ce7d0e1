import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../sql';
import { pgTime } from './pg-time';

export interface SyncEventRow {
  id: number;
  event_id: string;
  event_type: string;
  entity_type: string;
  entity_id: number;
  external_system: string | null;
  status: string;
  payload: unknown;
  error_message: string | null;
  retry_count: number;
  created_at: Date;
  processed_at: Date | null;
  direction: string | null;
  trace_id: string | null;
  actor: string | null;
}

export interface SyncEventFilter {
  /** A record's id; with entityType (customer when left out) it names the record. */
  customerId?: number | undefined;
  /** Which catalog's rows: customer, invoice. */
  entityType?: string | undefined;
  system?: string | undefined;
  status?: string | undefined;
  direction?: string | undefined;
  /** Inclusive. */
  from?: Date | undefined;
  /** Exclusive. */
  to?: Date | undefined;
  /** Keyset cursor: only rows with a smaller id. */
  beforeId?: number | undefined;
  limit: number;
}

export interface SyncEventPage {
  data: SyncEventRow[];
  /** Pass as beforeId for the next (older) page; null when this was the last one. */
  next_before_id: number | null;
}

const COLUMNS = [
  'id', 'event_id', 'event_type', 'entity_type', 'entity_id', 'external_system', 'status', 'payload', 'error_message',
  'retry_count', 'created_at', 'processed_at', 'direction', 'trace_id', 'actor',
];

/**
 * Ids and times rise together, which the planner does not know: for a window in the past it
 * reads the trail by id from the newest row of the window's month down to the window's end (up
 * to a month of rows) to find the few in it. A window of a day or less is read by time instead —
 * the ids and times in it from the (created_at, id) index, the newest by id, then their rows
 * (`id + 0` keeps the planner off the id order) — unless a record's own rows are fewer.
 */
const SHORT_WINDOW_MS = 86_400_000;
const readsByTime = (f: SyncEventFilter) => f.customerId === undefined && f.from !== undefined && f.to !== undefined && f.to.getTime() - f.from.getTime() <= SHORT_WINDOW_MS;

/**
 * The audit trail, newest first. Pages are cut by id (keyset), not by offset: rows inserted
 * while someone pages through never shift or repeat what they see, and deep pages stay cheap.
 */
export async function listSyncEvents(em: EntityManager, f: SyncEventFilter): Promise<SyncEventPage> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, value: unknown) => {
    where.push(clause);
    params.push(value);
  };
  if (f.customerId !== undefined) {
    add('entity_type = ?', f.entityType ?? 'customer');
    add('entity_id = ?', f.customerId);
  } else if (f.entityType !== undefined) add('entity_type = ?', f.entityType);
  if (f.system !== undefined) add('external_system = ?', f.system);
  if (f.status !== undefined) add('status = ?', f.status);
  if (f.direction !== undefined) add('direction = ?', f.direction);
  if (f.from !== undefined) add('created_at >= ?', f.from);
  if (f.to !== undefined) add('created_at < ?', f.to);
  if (f.beforeId !== undefined) add('id < ?', f.beforeId);
  const filter = where.length ? `where ${where.join(' and ')}` : '';
  // One row more than asked tells whether an older page exists, without a count.
  const rows = await sql<Omit<SyncEventRow, 'created_at' | 'processed_at'> & { created_at: string; processed_at: string | null }>(
    em,
    readsByTime(f)
      ? `select ${COLUMNS.map((c) => `e.${c}`).join(', ')}
           from (select id, created_at from sync_events ${filter} order by id + 0 desc limit ?) page
           join sync_events e on e.id = page.id and e.created_at = page.created_at
          order by e.id desc`
      : `select ${COLUMNS.join(', ')} from sync_events ${filter} order by id desc limit ?`,
    [...params, f.limit + 1],
  );
  const data = rows.slice(0, f.limit).map((r) => ({ ...r, created_at: pgTime(r.created_at), processed_at: pgTime(r.processed_at) }));
  return { data, next_before_id: rows.length > f.limit ? data[data.length - 1]!.id : null };
}
