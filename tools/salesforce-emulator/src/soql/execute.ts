import type { AccountFields } from '../accounts/fields';
import { sortValue, toJson, type AccountRecord } from '../accounts/record';
import { normalizeId } from '../ids';
import type { Condition, Literal, SoqlQuery } from './parse';

type Value = string | number | boolean | null;

function literalValue(field: string, literal: Literal): Value {
  switch (literal.kind) {
    case 'null': return null;
    case 'datetime': return literal.ms;
    case 'string': return field === 'Id' || field.endsWith('Id') ? (normalizeId(literal.value) ?? literal.value) : literal.value;
    case 'number': return literal.value;
    case 'boolean': return literal.value;
  }
}

// SOQL compares text case-insensitively; ids are case-sensitive 18-character values.
function compare(field: string, a: Value, b: Value): number {
  if (typeof a === 'string' && typeof b === 'string') {
    const x = field === 'Id' ? a : a.toLowerCase();
    const y = field === 'Id' ? b : b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return 0;
}

function matches(record: AccountRecord, condition: Condition): boolean {
  const actual = sortValue(record, condition.field);
  const wanted = condition.values.map((v) => literalValue(condition.field, v));
  const equal = (w: Value): boolean => (w === null || actual === null ? w === actual : compare(condition.field, actual, w) === 0);
  switch (condition.op) {
    case '=': return equal(wanted[0] ?? null);
    case '!=': return !equal(wanted[0] ?? null);
    case 'IN': return wanted.some(equal);
    case 'NOT IN': return !wanted.some(equal);
    default: {
      const w = wanted[0] ?? null;
      if (w === null || actual === null) return false;
      const c = compare(condition.field, actual, w);
      return condition.op === '<' ? c < 0 : condition.op === '<=' ? c <= 0 : condition.op === '>' ? c > 0 : c >= 0;
    }
  }
}

/** Filters, orders and limits; returns the records' JSON (a snapshot, as a query cursor holds). */
export function runQuery(query: SoqlQuery, records: readonly AccountRecord[], fields: AccountFields, apiVersion: string): Record<string, unknown>[] {
  let rows = records.filter((r) => query.where.every((c) => matches(r, c)));
  if (query.orderBy.length > 0) {
    rows = rows.slice().sort((a, b) => {
      for (const term of query.orderBy) {
        const x = sortValue(a, term.field);
        const y = sortValue(b, term.field);
        if (x === null || y === null) {
          if (x === y) continue;
          return (x === null) === term.nullsLast ? 1 : -1;
        }
        const c = compare(term.field, x, y);
        if (c !== 0) return term.descending ? -c : c;
      }
      return 0;
    });
  }
  if (query.limit !== null) rows = rows.slice(0, query.limit);
  return rows.map((r) => toJson(r, fields, apiVersion, query.fields));
}
