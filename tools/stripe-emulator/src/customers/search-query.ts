import { invalidRequest } from '../stripe/errors';

/**
 * The subset of Stripe's search query language we support for customers:
 *   email:'a@b.co'  name~'jen'  -phone:null  metadata['internal_id']:'42'  created>=1700000000
 * clauses joined by AND or OR (not both, as on Stripe).
 */
export type SearchField = 'email' | 'name' | 'phone' | 'metadata' | 'created';
export type SearchOperator = ':' | '~' | '>' | '<' | '>=' | '<=';

export interface SearchClause {
  field: SearchField;
  metadataKey?: string;
  operator: SearchOperator;
  /** null for the bare word `null`. */
  value: string | null;
  negated: boolean;
}

export interface SearchQuery {
  join: 'AND' | 'OR';
  clauses: SearchClause[];
}

const FIELDS: ReadonlySet<string> = new Set(['email', 'name', 'phone', 'metadata', 'created']);
const MAX_CLAUSES = 10;

function syntaxError(): never {
  throw invalidRequest(
    'We were unable to parse your search query. Try using the format `metadata["key"]:"value"` to query for metadata or key:"value" to query for other fields.',
    'query',
  );
}

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}
  peek(n = 1): string { return this.text.slice(this.pos, this.pos + n); }
  done(): boolean { return this.pos >= this.text.length; }
  skipSpaces(): number { const start = this.pos; while (this.text.charAt(this.pos) === ' ') this.pos++; return this.pos - start; }
  take(pattern: RegExp): string | null {
    const match = pattern.exec(this.text.slice(this.pos));
    if (match === null || match.index !== 0) return null;
    this.pos += match[0].length;
    return match[0];
  }
  quoted(): string {
    const quote = this.text.charAt(this.pos);
    if (quote !== "'" && quote !== '"') syntaxError();
    let out = '';
    for (let i = this.pos + 1; i < this.text.length; i++) {
      const ch = this.text.charAt(i);
      if (ch === '\\') { out += this.text.charAt(++i); continue; }
      if (ch === quote) { this.pos = i + 1; return out; }
      out += ch;
    }
    return syntaxError();
  }
}

function clause(c: Cursor): SearchClause {
  const negated = c.peek() === '-';
  if (negated) c.pos++;
  const field = c.take(/[a-z_]+/);
  if (field === null) syntaxError();
  if (!FIELDS.has(field)) {
    throw invalidRequest(`Field \`${field}\` is an unsupported search field for resource \`customers\`. See http://stripe.com/docs/search#query-fields-for-customers for a list of supported fields.`, 'query');
  }
  let metadataKey: string | undefined;
  if (field === 'metadata') {
    if (c.peek() !== '[') syntaxError();
    c.pos++;
    metadataKey = c.quoted();
    if (c.peek() !== ']') syntaxError();
    c.pos++;
  }
  const operator = (c.take(/>=|<=|[:~<>]/) ?? syntaxError()) as SearchOperator;
  let value: string | null;
  if (c.peek() === "'" || c.peek() === '"') value = c.quoted();
  else {
    const bare = c.take(/[^\s]+/) ?? syntaxError();
    value = bare === 'null' ? null : bare;
  }
  if (field !== 'created' && operator !== ':' && operator !== '~') syntaxError();
  if (field === 'created' && (value === null || !/^\d+$/.test(value) || operator === '~')) syntaxError();
  if (operator === '~' && (value === null || value.length < 3)) {
    throw invalidRequest('Substring search (~) requires a value of at least 3 characters.', 'query');
  }
  const result: SearchClause = { field: field as SearchField, operator, value, negated };
  if (metadataKey !== undefined) result.metadataKey = metadataKey;
  return result;
}

export function parseSearchQuery(text: string): SearchQuery {
  const c = new Cursor(text.trim());
  if (c.done()) syntaxError();
  const clauses = [clause(c)];
  let join: SearchQuery['join'] | undefined;
  while (!c.done()) {
    if (c.skipSpaces() === 0) syntaxError();
    const word = c.take(/AND|OR/) ?? syntaxError();
    if (join !== undefined && join !== word) {
      throw invalidRequest('Search queries cannot mix AND and OR in the same query.', 'query');
    }
    join = word as SearchQuery['join'];
    if (c.skipSpaces() === 0) syntaxError();
    clauses.push(clause(c));
    if (clauses.length > MAX_CLAUSES) throw invalidRequest(`Search queries may contain at most ${MAX_CLAUSES} clauses.`, 'query');
  }
  return { join: join ?? 'AND', clauses };
}
