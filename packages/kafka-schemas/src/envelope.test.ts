import { actorOf, envelope } from './envelope';
import { customerEventMessage, invoiceEventMessage } from './messages';

const customerChange = (extra: Record<string, unknown> = {}) => ({
  ...envelope({ type: 'customer.updated', idempotency_key: 'customer:1:v2', origin: 'internal', payload: { customer_id: 1, version: 2 } }),
  ...extra,
});

describe('the envelope’s actor', () => {
  it('is optional: a message from before actors still parses, and one with an actor keeps it', () => {
    const old = customerChange();
    expect(old).not.toHaveProperty('actor');
    expect(customerEventMessage.parse(old)).not.toHaveProperty('actor');
    expect(customerEventMessage.parse(customerChange({ actor: 'ci-bot' })).actor).toBe('ci-bot');
    const invoice = envelope({ type: 'invoice.finalized', idempotency_key: 'invoice:1:v2', origin: 'internal', actor: 'key-0a1b2c3d', payload: { invoice_id: 1, customer_id: 1, version: 2, status: 'open' } });
    expect(invoiceEventMessage.parse(invoice).actor).toBe('key-0a1b2c3d');
  });

  it('is a key name, not free text', () => {
    for (const bad of ['', 'has space', 'x'.repeat(41), '-leading', 'semi;colon']) {
      expect(customerEventMessage.safeParse(customerChange({ actor: bad })).success).toBe(false);
    }
  });

  it("names who made the change: the key's name, else the system it came from, else nobody known", () => {
    expect(actorOf({ actor: 'ci-bot', origin: 'internal' })).toBe('ci-bot');
    expect(actorOf({ origin: 'salesforce' })).toBe('salesforce');
    expect(actorOf({ origin: 'internal' })).toBeNull();
    expect(actorOf({ origin: 'operator' })).toBeNull();
    // A malformed message being parked: what is not a name is no actor.
    expect(actorOf({ actor: 'x'.repeat(500), origin: 42 })).toBeNull();
    expect(actorOf(undefined)).toBeNull();
  });
});
