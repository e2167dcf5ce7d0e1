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
 * Ids and times rise together only roughly (an id is drawn at insert, created_at is the
 * transaction's start), which the planner does not know: for a window in the past it reads the
 * trail by id from the newest row of the window's month down to the window's end (up to a month
 * of rows) to find the few in it. A window of up to a week is read by hour instead: the newest
 * rows of each of its hours from the (hour, id) index (migration 20261210), an index descent per
 * hour and partition whatever the traffic, then the newest of those, then their rows — unless a
 * record's own rows are fewer.
 */
const SHORT_WINDOW_MS = 7 * 86_400_000;
const HOUR_MS = 3_600_000;
const readsByTime = (f: SyncEventFilter) => f.customerId === undefined && f.from !== undefined && f.to !== undefined && f.to.getTime() - f.from.getTime() <= SHORT_WINDOW_MS;
/** The index's expression, as written there: the planner matches it by its text. */
const HOUR = `date_bin('1 hour', created_at, '2000-01-01 00:00:00+00')`;

/**
 * The window's hours (as Postgres array literals), each with whether it lies wholly inside: only
 * the two at its ends need created_at compared. The hour is a range, not an equality, so that the
 * only index to give the order asked for is the hour index (with an equality the planner may walk
 * the primary key instead), and created_at is compared only at the ends, so that it does not
 * intersect the hour index with a scan of the whole window on the created_at one.
 */
function windowHours(from: Date, to: Date): { hours: string; inside: string } {
  const hours: number[] = [];
  for (let h = Math.floor(from.getTime() / HOUR_MS) * HOUR_MS; h < to.getTime(); h += HOUR_MS) hours.push(h);
  return {
    hours: `{${hours.map((h) => new Date(h).toISOString()).join(',')}}`,
    inside: `{${hours.map((h) => (h >= from.getTime() && h + HOUR_MS <= to.getTime() ? 't' : 'f')).join(',')}}`,
  };
}

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
  if (f.beforeId !== undefined) add('id < ?', f.beforeId);
  // One row more than asked tells whether an older page exists, without a count.
  type Row = Omit<SyncEventRow, 'created_at' | 'processed_at'> & { created_at: string; processed_at: string | null };
  let rows: Row[];
  if (readsByTime(f)) {
    const { hours, inside } = windowHours(f.from!, f.to!);
    const filter = where.map((c) => `${c} and `).join('');
    rows = await sql<Row>(
      em,
      `select ${COLUMNS.map((c) => `e.${c}`).join(', ')}
         from (select newest.id, newest.created_at
                 from unnest(?::timestamptz[], ?::boolean[]) h(hour, inside)
                 cross join lateral (
                   select id, created_at from sync_events
                    where ${filter}(h.inside or (created_at >= ? and created_at < ?))
                      and ${HOUR} >= h.hour and ${HOUR} < h.hour + interval '1 hour'
                    order by ${HOUR} desc, id desc limit ?) newest
                order by newest.id desc limit ?) page
         join sync_events e on e.id = page.id and e.created_at = page.created_at
        order by e.id desc`,
      [hours, inside, ...params, f.from, f.to, f.limit + 1, f.limit + 1],
    );
  } else {
    if (f.from !== undefined) add('created_at >= ?', f.from);
    if (f.to !== undefined) add('created_at < ?', f.to);
    const filter = where.length ? `where ${where.join(' and ')}` : '';
    rows = await sql<Row>(em, `select ${COLUMNS.join(', ')} from sync_events ${filter} order by id desc limit ?`, [...params, f.limit + 1]);
  }
  const data = rows.slice(0, f.limit).map((r) => ({ ...r, created_at: pgTime(r.created_at), processed_at: pgTime(r.processed_at) }));
  return { data, next_before_id: rows.length > f.limit ? data[data.length - 1]!.id : null };
}
