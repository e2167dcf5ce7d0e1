import { createHash } from 'node:crypto';
import { digestName, parseApiKeys } from './api-keys';

const TOKEN = 'tok-0123456789abcdef';
const OTHER = 'tok-fedcba9876543210';

describe('API_KEYS', () => {
  it('names a bare token by key- and the first 8 hex digits of its SHA-256, as before names (the token keeps working)', () => {
    const name = `key-${createHash('sha256').update(TOKEN).digest('hex').slice(0, 8)}`;
    expect(digestName(TOKEN)).toBe(name);
    expect(parseApiKeys(TOKEN)).toEqual({ keys: [{ name, token: TOKEN }] });
  });

  it('takes name:token, mixed with bare tokens, spaces around entries ignored', () => {
    expect(parseApiKeys(` ci-bot:${TOKEN} , ${OTHER},`)).toEqual({
      keys: [
        { name: 'ci-bot', token: TOKEN },
        { name: digestName(OTHER), token: OTHER },
      ],
    });
  });

  it('lets one name have two tokens (a rotation), and says a repeated entry once', () => {
    expect(parseApiKeys(`ci:${TOKEN},ci:${OTHER},ci:${TOKEN}`)).toEqual({
      keys: [
        { name: 'ci', token: TOKEN },
        { name: 'ci', token: OTHER },
      ],
    });
  });

  it('reads an entry whose part before the first colon is no name as a bare token, colon and all', () => {
    for (const whole of [`-bad:${TOKEN}`, `${'n'.repeat(41)}:${TOKEN}`]) {
      expect(parseApiKeys(whole)).toEqual({ keys: [{ name: digestName(whole), token: whole }] });
    }
  });

  it('refuses short or spaced tokens, one token under two names, and an empty list, never printing a token', () => {
    const problems = [`ci:short`, 'short', `a:${TOKEN},b:${TOKEN}`, ' , ', `ci:${TOKEN.slice(0, 8)} ${TOKEN.slice(8)}`].map((v) => {
      const r = parseApiKeys(v);
      return 'problem' in r ? r.problem : 'accepted';
    });
    expect(problems).toEqual([
      'each key must be at least 16 characters (entry 1, "ci")',
      'each key must be at least 16 characters (entry 1)',
      'one token is given two names ("a" and "b")',
      'no key given (leave API_KEYS unset for an open API)',
      'a key may not contain spaces (entry 1, "ci")',
    ]);
    for (const p of problems) expect(p).not.toContain(TOKEN.slice(4));
  });
});
