import { customerFields, stateHash } from './customer-rules';

describe('stateHash', () => {
  it('is what it was before phone and address existed for a customer with neither, so upgrading re-pushes nobody', () => {
    // sha256 of ["Ada","ada@x.io",false], the hash every mapping of such a customer holds today.
    const before = '604edb37219872f4666e706ed9baff13517114d32632086ed656b61a24946736';
    expect(stateHash({ name: 'Ada', email: 'ada@x.io' })).toBe(before);
    expect(stateHash({ name: 'Ada', email: 'ada@x.io', phone: null, address: null })).toBe(before);
  });

  it('covers phone and address, whatever the order of the address parts', () => {
    const plain = stateHash({ name: 'Ada', email: 'ada@x.io' });
    const withPhone = stateHash({ name: 'Ada', email: 'ada@x.io', phone: '+44 20 7946 0000' });
    const address = { line1: '1 Main St', line2: null, city: 'Leeds', state: null, postal_code: 'LS1', country: 'GB' };
    const withAddress = stateHash({ name: 'Ada', email: 'ada@x.io', address });
    expect(new Set([plain, withPhone, withAddress]).size).toBe(3);
    const reordered = { country: 'GB', postal_code: 'LS1', city: 'Leeds', line1: '1 Main St' };
    expect(stateHash({ name: 'Ada', email: 'ada@x.io', address: reordered })).toBe(withAddress);
    expect(stateHash({ name: 'Ada', email: 'ada@x.io', address: { ...address, city: 'York' } })).not.toBe(withAddress);
  });
});

describe('customerFields', () => {
  const base = { name: 'Ada', email: 'ada@x.io' };

  it('trims phone and address parts, upper-cases the country, fills absent parts with null', () => {
    const parsed = customerFields.parse({ ...base, phone: '  +1 (555) 010-0000 ', address: { line1: ' 1 Main St ', country: 'us' } });
    expect(parsed).toEqual({
      ...base,
      phone: '+1 (555) 010-0000',
      address: { line1: '1 Main St', line2: null, city: null, state: null, postal_code: null, country: 'US' },
    });
  });

  it('reads absent, blank and all-empty values as null', () => {
    expect(customerFields.parse(base)).toEqual({ ...base, phone: null, address: null });
    expect(customerFields.parse({ ...base, phone: '  ', address: { line1: ' ', city: null } })).toEqual({ ...base, phone: null, address: null });
  });

  it('lists every problem with a clear message', () => {
    const result = customerFields.safeParse({
      ...base,
      phone: 'call me',
      address: { line1: 'x'.repeat(201), postal_code: '1'.repeat(21), country: 'XX', planet: 'Mars' },
    });
    expect(result.success).toBe(false);
    const messages = result.error!.issues.map((i) => i.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'phone may hold only digits, spaces and + - ( ) .',
        'address.line1 must be at most 200 characters',
        'address.postal_code must be at most 20 characters',
        'address.country must be an ISO 3166-1 alpha-2 country code',
      ]),
    );
    expect(result.error!.issues.some((i) => i.code === 'unrecognized_keys')).toBe(true);
  });

  it('refuses phones without a digit or longer than 40, and two-letter codes that are not assigned', () => {
    expect(customerFields.safeParse({ ...base, phone: '+()' }).error?.issues[0]?.message).toBe('phone must contain at least one digit');
    expect(customerFields.safeParse({ ...base, phone: '1'.repeat(20) }).success).toBe(true);
    expect(customerFields.safeParse({ ...base, phone: '1'.repeat(21) }).error?.issues[0]?.message).toBe('phone must be at most 20 characters');
    for (const code of ['ZZ', 'UK', 'EU', 'XK']) expect(customerFields.safeParse({ ...base, address: { country: code } }).success).toBe(false);
    for (const code of ['GB', 'de', 'AX', 'SS']) expect(customerFields.safeParse({ ...base, address: { country: code } }).success).toBe(true);
  });
});
