import { StripeApiError } from './errors';
import { parseForm, parseKeyPath } from './form';
import { createdParam, limitParam, optionalStringList } from './params';

const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('parseForm', () => {
  it('nests bracket keys and decodes values', () => {
    const params = parseForm('name=Jenny+Rosen&metadata[internal_id]=42&metadata[note]=a%26b%3Dc&address[line1]=1%20Main%20St');
    expect(plain(params)).toEqual({ name: 'Jenny Rosen', metadata: { internal_id: '42', note: 'a&b=c' }, address: { line1: '1 Main St' } });
  });

  it('accepts percent-encoded brackets the same as literal ones', () => {
    expect(plain(parseForm('metadata%5Binternal_id%5D=7'))).toEqual({ metadata: { internal_id: '7' } });
  });

  it('appends `[]` keys to lists and keeps the SDK indexed form as a map', () => {
    const params = parseForm('expand[]=a&expand[]=b&types[0]=customer.created&types[1]=customer.updated');
    expect(plain(params)).toEqual({ expand: ['a', 'b'], types: { 0: 'customer.created', 1: 'customer.updated' } });
    expect(optionalStringList(params, 'types')).toEqual(['customer.created', 'customer.updated']);
    expect(optionalStringList(params, 'expand')).toEqual(['a', 'b']);
  });

  it('keeps an empty value (metadata= clears, metadata[k]= removes)', () => {
    expect(plain(parseForm('metadata=&email='))).toEqual({ metadata: '', email: '' });
    expect(plain(parseForm('metadata[gone]='))).toEqual({ metadata: { gone: '' } });
  });

  it('treats __proto__ as an ordinary key', () => {
    const params = parseForm('metadata[__proto__]=x&__proto__[polluted]=1');
    expect(Object.keys(params['metadata'] as object)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('rejects malformed percent-encoding and contradictory shapes with a 400', () => {
    expect(() => parseForm('name=%E0%A4%A')).toThrow(StripeApiError);
    expect(() => parseForm('a[]=1&a[x]=2')).toThrow(StripeApiError);
  });

  it('merges a query string and a body, body last', () => {
    const params = parseForm('limit=5', parseForm('limit=3&email=a@b.co'));
    expect(plain(params)).toEqual({ limit: '5', email: 'a@b.co' });
  });
});

describe('parseKeyPath', () => {
  it.each([
    ['a', ['a']],
    ['a[b][c]', ['a', 'b', 'c']],
    ['a[]', ['a', '']],
    ['a[b', ['a[b']],
    ['[a]', ['[a]']],
    ['a[b]c', ['a[b]c']],
  ])('%s', (key, path) => expect(parseKeyPath(key)).toEqual(path));
});

describe('param helpers', () => {
  it('validates limit like Stripe', () => {
    expect(limitParam(parseForm(''))).toBe(10);
    expect(limitParam(parseForm('limit=100'))).toBe(100);
    expect(() => limitParam(parseForm('limit=0'))).toThrow('greater than or equal to 1');
    expect(() => limitParam(parseForm('limit=101'))).toThrow('less than or equal to 100');
    expect(() => limitParam(parseForm('limit=ten'))).toThrow('Invalid integer: ten');
  });

  it('reads created as an exact second or a range', () => {
    expect(createdParam(parseForm('created=100'))).toEqual({ gte: 100, lte: 100 });
    expect(createdParam(parseForm('created[gt]=1&created[lte]=9'))).toEqual({ gt: 1, lte: 9 });
    expect(() => createdParam(parseForm('created[after]=1'))).toThrow('Received unknown parameter: created[after]');
  });
});
