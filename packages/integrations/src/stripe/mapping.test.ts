import { StripeIntegration } from './stripe-integration';
import { fromStripe, toStripeParams } from './mapping';

const stripe = new StripeIntegration({ secretKey: 'sk_test_123' });
const customer = {
  id: 'cus_1',
  object: 'customer',
  name: 'Ada',
  email: 'Ada@x.io',
  phone: '+1 555 0100',
  address: { line1: '1 Main St', line2: '', city: 'Leeds', state: null, postal_code: 'LS1', country: 'GB' },
  created: 1800000000,
  metadata: { internal_id: '7' },
};
const updated = (previous: Record<string, unknown> | undefined) => ({
  id: 'evt_1',
  type: 'customer.updated',
  created: 1800000001,
  data: { object: customer, ...(previous ? { previous_attributes: previous } : {}) },
});

describe('Stripe mapping of phone and address', () => {
  it('reads phone and address into our shape (empty parts null)', () => {
    expect(fromStripe(customer as never)).toMatchObject({
      phone: '+1 555 0100',
      address: { line1: '1 Main St', line2: null, city: 'Leeds', state: null, postal_code: 'LS1', country: 'GB' },
    });
    expect(fromStripe({ ...customer, phone: '', address: { line1: '', line2: null, city: null, state: null, postal_code: null, country: null } } as never)).toMatchObject({ phone: null, address: null });
    expect(fromStripe({ ...customer, phone: null, address: null } as never)).toMatchObject({ phone: null, address: null });
  });

  it('sends a null phone or address as "" on update (clears it) and leaves it out on create', () => {
    expect(toStripeParams({ name: 'A', email: 'a@x.io', phone: null, address: null })).toEqual({ name: 'A', email: 'a@x.io', phone: '', address: '' });
    expect(toStripeParams({ name: 'A', email: 'a@x.io', phone: null, address: null }, 'create')).toEqual({ name: 'A', email: 'a@x.io' });
    expect(toStripeParams({ name: 'A', email: 'a@x.io' })).toEqual({ name: 'A', email: 'a@x.io' });
  });
});

describe('changedFields from previous_attributes', () => {
  it('names our fields among the attributes a customer.updated changed', () => {
    expect(stripe.toNeutralChange(updated({ phone: null, address: { city: 'York' }, metadata: {} }))?.changedFields).toEqual(['phone', 'address']);
    expect(stripe.toNeutralChange(updated({ name: 'Old' }))?.changedFields).toEqual(['name']);
  });

  it('names none when only attributes we do not sync changed, and says nothing without previous_attributes', () => {
    expect(stripe.toNeutralChange(updated({ balance: 10 }))?.changedFields).toEqual([]);
    expect(stripe.toNeutralChange(updated(undefined))?.changedFields).toBeUndefined();
  });

  it('leaves created and deleted events without changedFields', () => {
    const created = stripe.toNeutralChange({ ...updated({ name: 'x' }), type: 'customer.created' });
    expect(created?.kind).toBe('created');
    expect(created).not.toHaveProperty('changedFields');
  });
});
