import { parseSfDateTime } from '../clock';
import { malformedQuery } from '../rest/errors';

export type Token =
  | { kind: 'word'; text: string; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'number'; value: number; text: string; at: number }
  | { kind: 'datetime'; ms: number; text: string; at: number }
  | { kind: 'punct'; text: string; at: number };

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2})/;
const DATE = /^\d{4}-\d{2}-\d{2}(?![T\d])/;
const NUMBER = /^-?\d+(?:\.\d+)?/;
const WORD = /^[A-Za-z_][A-Za-z0-9_.]*/;
const PUNCT = /^(?:!=|<>|<=|>=|[=<>(),*:])/;

export function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < soql.length) {
    const rest = soql.slice(i);
    const space = /^\s+/.exec(rest);
    if (space !== null) {
      i += space[0].length;
      continue;
    }
    if (rest[0] === "'") {
      let value = '';
      let j = 1;
      for (; j < rest.length && rest[j] !== "'"; j++) {
        if (rest[j] === '\\') {
          j++;
          const c = rest[j] ?? '';
          value += c === 'n' ? '\n' : c === 't' ? '\t' : c;
        } else value += rest[j] ?? '';
      }
      if (j >= rest.length) throw malformedQuery(`unterminated string literal at column ${i + 1}`);
      tokens.push({ kind: 'string', value, at: i });
      i += j + 1;
      continue;
    }
    const dt = DATETIME.exec(rest);
    if (dt !== null) {
      const ms = parseSfDateTime(dt[0]);
      if (Number.isNaN(ms)) throw malformedQuery(`invalid datetime literal: ${dt[0]}`);
      tokens.push({ kind: 'datetime', ms, text: dt[0], at: i });
      i += dt[0].length;
      continue;
    }
    if (DATE.test(rest)) throw malformedQuery(`date literals are not supported by the emulator (at column ${i + 1}); use a datetime such as 2026-01-01T00:00:00Z`);
    const num = NUMBER.exec(rest);
    if (num !== null) {
      tokens.push({ kind: 'number', value: Number(num[0]), text: num[0], at: i });
      i += num[0].length;
      continue;
    }
    const word = WORD.exec(rest);
    if (word !== null) {
      tokens.push({ kind: 'word', text: word[0], at: i });
      i += word[0].length;
      continue;
    }
    const punct = PUNCT.exec(rest);
    if (punct !== null) {
      tokens.push({ kind: 'punct', text: punct[0], at: i });
      i += punct[0].length;
      continue;
    }
    throw malformedQuery(`unexpected character '${rest[0] ?? ''}' at column ${i + 1}`);
  }
  return tokens;
}
