import { startEmulator, type RunningEmulator } from '@cs/stripe-emulator';
import { StripeIntegration } from './stripe-integration';

// Against the emulator (a Stripe-shaped events list, newest first, paginated), not stripe-mock:
// stripe-mock's fixtures are stateless, so they cannot tell whether our order is right.
let emu: RunningEmulator;
let stripe: StripeIntegration;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  stripe = new StripeIntegration({ secretKey: 'sk_test_events', apiBase: emu.url });
});
afterAll(() => emu.close());

const admin = (path: string, body: unknown) => fetch(`${emu.url}/_emulator${path}`, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.json() as Promise<{ id: string }>);

describe('StripeIntegration.listEvents', () => {
  it('returns customer events oldest first across pages, keeping the order of events within one second', async () => {
    const created = await admin('/dashboard/customers', { name: 'Order 0', email: 'order@example.com' });
    // 249 updates of one customer, most of them within the same second: only Stripe's list order tells them apart.
    for (let i = 1; i < 250; i++) await admin(`/dashboard/customers/${created.id}`, { name: `Order ${i}` });
    const now = Math.floor(Date.now() / 1000);

    const events = await stripe.listEvents(now - 60, now + 60);
    expect(events).toHaveLength(250);
    expect(events[0]!.eventType).toBe('customer.created');
    const names = events.map((e) => ((e.event.data as { object: { name: string } }).object.name));
    expect(names).toEqual(Array.from({ length: 250 }, (_, i) => `Order ${i}`));
    for (let i = 1; i < events.length; i++) expect(events[i]!.created).toBeGreaterThanOrEqual(events[i - 1]!.created);
  });
});
