import type { AccountFields } from '../accounts/fields';
import { invalidField, malformedQuery, SfError } from '../rest/errors';
import { tokenize, type Token } from './lexer';

export type Literal = { kind: 'string'; value: string } | { kind: 'datetime'; ms: number } | { kind: 'number'; value: number } | { kind: 'boolean'; value: boolean } | { kind: 'null' };
export type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'IN' | 'NOT IN';

export interface Condition {
  field: string;
  op: Operator;
  values: Literal[];
}

export interface OrderTerm {
  field: string;
  descending: boolean;
  nullsLast: boolean;
}

export interface SoqlQuery {
  fields: string[];
  where: Condition[];
  orderBy: OrderTerm[];
  limit: number | null;
}

const UNSUPPORTED = new Set(['OR', 'NOT', 'LIKE', 'INCLUDES', 'EXCLUDES', 'GROUP', 'HAVING', 'OFFSET', 'WITH', 'FOR', 'USING', 'TYPEOF', 'ALL']);

/**
 * The SOQL subset a sync needs: SELECT fields FROM Account [WHERE c AND c ...]
 * [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n], where c is `field op literal` or
 * `field [NOT] IN (literals)`. Anything else is a MALFORMED_QUERY that names what is unsupported.
 */
export function parseSoql(soql: string, fields: AccountFields): SoqlQuery {
  const tokens = tokenize(soql);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isWord = (t: Token | undefined, ...words: string[]): boolean => t?.kind === 'word' && words.includes(t.text.toUpperCase());
  const describe = (t: Token | undefined): string => (t === undefined ? 'end of query' : `'${'text' in t ? t.text : t.value}' at column ${t.at + 1}`);
  const unexpected = (t: Token | undefined, expected: string): SfError => {
    if (t?.kind === 'word' && UNSUPPORTED.has(t.text.toUpperCase())) return malformedQuery(`${t.text.toUpperCase()} is not supported by the emulator's SOQL subset (at column ${t.at + 1})`);
    if (t?.kind === 'punct' && t.text === '(') return malformedQuery(`sub-queries and functions are not supported by the emulator's SOQL subset (at column ${t.at + 1})`);
    return malformedQuery(`unexpected token: ${describe(t)}; expected ${expected}`);
  };
  const expectWord = (word: string): void => {
    if (!isWord(peek(), word)) throw unexpected(peek(), word);
    pos++;
  };
  const field = (): string => {
    const t = peek();
    if (t?.kind !== 'word') throw unexpected(t, 'a field name');
    pos++;
    if (t.text.includes('.')) throw malformedQuery(`relationship fields (${t.text}) are not supported by the emulator`);
    const def = fields.get(t.text);
    if (def === undefined) {
      if (t.text.toLowerCase() === 'billingaddress') return 'BillingAddress';
      throw invalidField(`No such column '${t.text}' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.`);
    }
    return def.name;
  };

  expectWord('SELECT');
  const selected: string[] = [];
  for (;;) {
    const t = peek();
    const after = tokens[pos + 1];
    if (t?.kind === 'word' && after?.kind === 'punct' && after.text === '(') throw malformedQuery(`functions such as ${t.text}() are not supported by the emulator's SOQL subset`);
    if (t?.kind === 'punct' && t.text === '(') throw malformedQuery(`sub-queries are not supported by the emulator's SOQL subset (at column ${t.at + 1})`);
    const name = field();
    if (selected.includes(name)) throw malformedQuery(`duplicate field selected: ${name}`);
    selected.push(name);
    const next = peek();
    if (next?.kind === 'punct' && next.text === ',') {
      pos++;
      continue;
    }
    break;
  }
  expectWord('FROM');
  const object = peek();
  if (object?.kind !== 'word') throw unexpected(object, 'an sObject name');
  pos++;
  if (object.text.toLowerCase() !== 'account') throw new SfError(400, 'INVALID_TYPE', `sObject type '${object.text}' is not supported. The emulator only knows Account.`, undefined);

  const where: Condition[] = [];
  if (isWord(peek(), 'WHERE')) {
    pos++;
    for (;;) {
      where.push(condition());
      if (isWord(peek(), 'AND')) {
        pos++;
        continue;
      }
      break;
    }
  }

  const orderBy: OrderTerm[] = [];
  if (isWord(peek(), 'ORDER')) {
    pos++;
    expectWord('BY');
    for (;;) {
      const term: OrderTerm = { field: field(), descending: false, nullsLast: false };
      if (isWord(peek(), 'ASC', 'DESC')) term.descending = (tokens[pos++] as { text: string }).text.toUpperCase() === 'DESC';
      term.nullsLast = term.descending;
      if (isWord(peek(), 'NULLS')) {
        pos++;
        if (!isWord(peek(), 'FIRST', 'LAST')) throw unexpected(peek(), 'FIRST or LAST');
        term.nullsLast = (tokens[pos++] as { text: string }).text.toUpperCase() === 'LAST';
      }
      orderBy.push(term);
      const next = peek();
      if (next?.kind === 'punct' && next.text === ',') {
        pos++;
        continue;
      }
      break;
    }
  }

  let limit: number | null = null;
  if (isWord(peek(), 'LIMIT')) {
    pos++;
    const t = peek();
    if (t?.kind !== 'number' || !Number.isInteger(t.value) || t.value < 0) throw unexpected(t, 'a non-negative integer');
    pos++;
    limit = t.value;
  }
  if (pos < tokens.length) throw unexpected(peek(), 'end of query');
  return { fields: selected, where, orderBy, limit };

  function literal(): Literal {
    const t = peek();
    pos++;
    if (t?.kind === 'string') return { kind: 'string', value: t.value };
    if (t?.kind === 'datetime') return { kind: 'datetime', ms: t.ms };
    if (t?.kind === 'number') return { kind: 'number', value: t.value };
    if (isWord(t, 'TRUE', 'FALSE')) return { kind: 'boolean', value: (t as { text: string }).text.toUpperCase() === 'TRUE' };
    if (isWord(t, 'NULL')) return { kind: 'null' };
    if (t?.kind === 'punct' && t.text === ':') throw malformedQuery('bind variables are not supported by the emulator');
    if (t?.kind === 'word') throw malformedQuery(`date literals and functions such as ${t.text} are not supported by the emulator (at column ${t.at + 1})`);
    pos--;
    throw unexpected(t, 'a literal value');
  }

  function condition(): Condition {
    const t = peek();
    if (t?.kind === 'punct' && t.text === '(') throw malformedQuery(`parenthesised conditions are not supported by the emulator (at column ${t.at + 1})`);
    const name = field();
    let op: Operator;
    const o = peek();
    if (o?.kind === 'punct' && ['=', '!=', '<>', '<', '<=', '>', '>='].includes(o.text)) {
      pos++;
      op = o.text === '<>' ? '!=' : (o.text as Operator);
      const value = literal();
      checkType(name, value);
      return { field: name, op, values: [value] };
    }
    if (isWord(o, 'NOT')) {
      pos++;
      if (!isWord(peek(), 'IN')) throw unexpected(peek(), 'IN');
      op = 'NOT IN';
    } else if (isWord(o, 'IN')) op = 'IN';
    else throw unexpected(o, 'a comparison operator (=, !=, <, <=, >, >=, IN, NOT IN)');
    pos++;
    const open = peek();
    if (open?.kind !== 'punct' || open.text !== '(') throw unexpected(open, '(');
    pos++;
    const values: Literal[] = [];
    for (;;) {
      const value = literal();
      checkType(name, value);
      values.push(value);
      const next = peek();
      pos++;
      if (next?.kind === 'punct' && next.text === ',') continue;
      if (next?.kind === 'punct' && next.text === ')') break;
      throw unexpected(next, ', or )');
    }
    return { field: name, op, values };
  }

  function checkType(name: string, value: Literal): void {
    if (value.kind === 'null') return;
    if (name === 'BillingAddress') throw malformedQuery('compound fields cannot be filtered; filter on BillingCity, BillingCountry, ...');
    const type = fields.get(name)?.type;
    const expected = type === 'datetime' ? 'datetime' : type === 'boolean' ? 'boolean' : 'string';
    if (value.kind !== expected) {
      const hint = expected === 'datetime' ? 'dateTime and should not be enclosed in quotes' : expected === 'boolean' ? 'boolean and should not be enclosed in quotes' : 'string and should be enclosed in quotes';
      throw invalidField(`value of filter criterion for field '${name}' must be of type ${hint}`);
    }
  }
}
