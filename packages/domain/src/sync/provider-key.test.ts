import { providerIdempotencyKey } from './provider-key';

describe('providerIdempotencyKey', () => {
  it('is the message key, the system and the action', () => {
    expect(providerIdempotencyKey('customer:7:v2', 'stripe', 'update')).toBe('customer:7:v2:stripe:update');
  });

  it('differs for a repair of a version already pushed', () => {
    expect(providerIdempotencyKey('customer:7:v2:reconcile:ab12', 'stripe', 'update')).not.toBe(providerIdempotencyKey('customer:7:v2', 'stripe', 'update'));
  });

  it('stays within 255 characters and distinct for long keys', () => {
    const a = providerIdempotencyKey(`customer:7:v2:${'x'.repeat(250)}a`, 'stripe', 'create');
    const b = providerIdempotencyKey(`customer:7:v2:${'x'.repeat(250)}b`, 'stripe', 'create');
    expect(a).toHaveLength(255);
    expect(a.startsWith('customer:7:v2:xxx')).toBe(true);
    expect(a).not.toBe(b);
  });
});
