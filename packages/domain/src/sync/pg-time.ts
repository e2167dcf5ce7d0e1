/**
 * Raw queries (sql()) get timestamptz columns back as Postgres text, e.g.
 * `2026-11-28 18:34:21.74924+00` (MikroORM leaves date parsing to its entities). This turns that
 * text, or a Date, into a Date; the session runs in UTC, but any ±hh or ±hh:mm offset is read.
 */
export function pgTime(value: Date | string): Date;
export function pgTime(value: Date | string | null): Date | null;
export function pgTime(value: Date | string | null): Date | null {
  if (value === null || value instanceof Date) return value;
  const iso = value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error(`not a Postgres timestamp: ${value}`);
  return date;
}
