import { REDACTED, redact } from './redact';

describe('redact', () => {
  it('replaces secret-looking keys at any depth, in objects and arrays, whatever the case', () => {
    const input = {
      name: 'Ada',
      Password: 'hunter2',
      nested: { client_secret: 'cs_1', apiKey: 'k', 'api-key': 'k2', api_key: 'k3', list: [{ access_token: 't' }, { iban: 'DE00', ok: 1 }] },
      headers: { Authorization: 'Bearer abc', 'x-request-id': 'r1' },
      card: { number: '4242', exp: '12/30' },
      default_card_id: 'card_1',
    };
    expect(redact(input)).toEqual({
      name: 'Ada',
      Password: REDACTED,
      nested: { client_secret: REDACTED, apiKey: REDACTED, 'api-key': REDACTED, api_key: REDACTED, list: [{ access_token: REDACTED }, { iban: REDACTED, ok: 1 }] },
      headers: { Authorization: REDACTED, 'x-request-id': 'r1' },
      card: REDACTED,
      default_card_id: REDACTED,
    });
  });

  it('leaves other values as they are and does not change its input', () => {
    const input = { a: [1, 'two', null, true], b: { c: { d: 'e' } }, token: 'x' };
    const copy = structuredClone(input);
    expect(redact(input)).toEqual({ ...copy, token: REDACTED });
    expect(input).toEqual(copy);
    for (const scalar of [null, undefined, 3, 'secret', false]) expect(redact(scalar)).toBe(scalar);
  });
});
