import { invalidRequest } from '../stripe/errors';
import type { Customer } from './object';
import type { SearchClause, SearchQuery } from './search-query';
import type { CustomerStore } from './store';

function stringMatches(actual: string | null | undefined, clause: SearchClause): boolean {
  if (clause.value === null) return actual === null || actual === undefined;
  if (actual === null || actual === undefined) return false;
  // Stripe documents both `:` and `~` on strings as case-insensitive.
  const a = actual.toLowerCase();
  const v = clause.value.toLowerCase();
  return clause.operator === '~' ? a.includes(v) : a === v;
}

function createdMatches(created: number, clause: SearchClause): boolean {
  const v = Number(clause.value);
  switch (clause.operator) {
    case '>': return created > v;
    case '<': return created < v;
    case '>=': return created >= v;
    case '<=': return created <= v;
    default: return created === v;
  }
}

function clauseMatches(customer: Customer, clause: SearchClause): boolean {
  let hit: boolean;
  switch (clause.field) {
    case 'created': hit = createdMatches(customer.created, clause); break;
    case 'metadata': hit = stringMatches(customer.metadata[clause.metadataKey ?? ''], clause); break;
    default: hit = stringMatches(customer[clause.field], clause);
  }
  return clause.negated ? !hit : hit;
}

export function matchesQuery(customer: Customer, query: SearchQuery): boolean {
  return query.join === 'AND'
    ? query.clauses.every((c) => clauseMatches(customer, c))
    : query.clauses.some((c) => clauseMatches(customer, c));
}

// Page tokens are opaque to clients; ours encode the seq to continue below, which stays
// correct while new customers are created between pages.
export const encodePage = (seq: number): string => Buffer.from(`cs:${seq}`).toString('base64url');

export function decodePage(page: string): number {
  const match = /^cs:(\d+)$/.exec(Buffer.from(page, 'base64url').toString('utf8'));
  if (match === null) throw invalidRequest(`Invalid page: ${page}`, 'page');
  return Number(match[1]);
}

export interface SearchPage {
  data: Customer[];
  hasMore: boolean;
  nextPage: string | null;
}

export function searchCustomers(store: CustomerStore, query: SearchQuery, limit: number, page?: string): SearchPage {
  const below = page === undefined ? undefined : decodePage(page);
  const data: Customer[] = [];
  let lastSeq = -1;
  for (const record of store.scanNewestFirst(below)) {
    if (!matchesQuery(record.customer, query)) continue;
    if (data.length === limit) return { data, hasMore: true, nextPage: encodePage(lastSeq) };
    data.push(record.customer);
    lastSeq = record.seq;
  }
  return { data, hasMore: false, nextPage: null };
}
