import { openOrm, type MikroORM } from '@cs/domain';
import { changeMessage, IntegrationRegistry, StripeIntegration, StripeWebhookVerifier } from '@cs/integrations';
import { envelope, externalChangeEnvelope, type InboundMessage } from '@cs/kafka-schemas';
import { createLogger } from '@cs/platform';
import { startEmulator, type RunningEmulator } from '@cs/stripe-emulator';
import Stripe from 'stripe';
import { query, resetDatabase } from '../../../test/support/db';
import { stripeEvent, type EventInput } from '../../../test/support/stripe-events';
import { applyEvent, applyEventBatch, ParkForReview, type InboundDeps } from './apply-event';

let orm: MikroORM;
let emu: RunningEmulator;
let deps: InboundDeps;

beforeAll(async () => {
  orm = await openOrm({ databaseUrl: process.env.DATABASE_URL!, poolMax: 5 });
  emu = await startEmulator({ port: 0 });
  const stripe = new StripeIntegration({ secretKey: 'sk_test_inbound', apiBase: emu.url });
  deps = { orm, registry: new IntegrationRegistry().register(stripe), logger: createLogger({ name: 'inbound-test', level: 'silent' }) };
});
afterAll(async () => {
  await orm.close();
  await emu.close();
});
beforeEach(() => resetDatabase());

const T0 = 1_800_000_000;
const verifier = new StripeWebhookVerifier(['whsec_unused']);

/** A Stripe event as the gateway publishes it: the neutral change its connector makes of it. */
function message(input: EventInput): InboundMessage {
  const change = verifier.toChange(stripeEvent(input))!;
  return externalChangeEnvelope(changeMessage('stripe', change, 'webhook')) as InboundMessage;
}

/** The same event as gateways published it before the neutral change (still on topics and in dead letters after an upgrade). */
function legacyMessage(input: EventInput): InboundMessage {
  const event = stripeEvent(input);
  const customer = (event.data as { object: { id: string } }).object;
  return envelope({
    type: 'external.event' as const,
    idempotency_key: `stripe:${String(event.id)}`,
    origin: 'stripe',
    payload: {
      system: 'stripe',
      event_id: String(event.id),
      event_type: String(event.type),
      object_id: customer.id,
      source_created: Number(event.created),
      received_at: new Date().toISOString(),
      via: 'webhook' as const,
      event,
    },
  }) as InboundMessage;
}
const apply = (m: InboundMessage) => applyEvent(deps, m, { key: 'k', topic: 't', partition: 0, offset: '0', attempt: 1 });
const customers = () => query<{ id: number; name: string; email: string; version: number; deleted_at: Date | null }>('select id, name, email, version, deleted_at from customers order by id');
const mappings = () => query<{ internal_id: number; external_id: string; last_source_ts: string }>('select internal_id, external_id, last_source_ts from external_mappings order by id');
const outbox = () => query<{ event_type: string; origin: string; aggregate_id: number }>('select event_type, origin, aggregate_id from outbox order by id');
const insertCustomer = async (name: string, email: string) =>
  (await query<{ id: number }>('insert into customers (name, email) values ($1, $2) returning id', [name, email]))[0]!.id;

describe('inbound: customer.created', () => {
  it('creates a customer and its mapping, with an outbox row origin=stripe (other systems hear of it, Stripe does not)', async () => {
    await apply(message({ type: 'customer.created', created: T0, customer: { id: 'cus_new1', name: 'New One', email: 'New@X.io', metadata: {} } }));
    expect(await customers()).toMatchObject([{ name: 'New One', email: 'new@x.io', version: 1 }]);
    expect(await mappings()).toMatchObject([{ external_id: 'cus_new1', last_source_ts: String(T0) }]);
    expect(await outbox()).toEqual([{ event_type: 'customer.created', origin: 'stripe', aggregate_id: 1 }]);
  });

  it('applies a message published before the neutral change (an external.event) the same way', async () => {
    await apply(legacyMessage({ type: 'customer.created', created: T0, customer: { id: 'cus_old1', name: 'Old Shape', email: 'old@x.io', metadata: {} } }));
    await apply(legacyMessage({ created: T0 + 1, customer: { id: 'cus_old1', name: 'Old Shape v2', email: 'old@x.io' } }));
    expect(await customers()).toMatchObject([{ name: 'Old Shape v2', email: 'old@x.io', version: 2 }]);
    expect(await mappings()).toMatchObject([{ external_id: 'cus_old1', last_source_ts: String(T0 + 1) }]);
  });

  it('the same event delivered three times is applied once', async () => {
    const m = message({ type: 'customer.created', created: T0, customer: { id: 'cus_dup', name: 'Dup', email: 'dup@x.io', metadata: {} } });
    await apply(m);
    await apply(m);
    await apply(m);
    expect(await customers()).toHaveLength(1);
    expect(await outbox()).toHaveLength(1);
    const audit = await query<{ status: string; payload: { reason?: string } }>(`select status, payload from sync_events where direction = 'inbound' order by id`);
    expect(audit.map((a) => a.status)).toEqual(['success', 'skipped', 'skipped']);
    expect(audit[1]!.payload.reason).toBe('duplicate event');
  });

  it('our own create coming back (metadata.internal_id) links and creates nothing', async () => {
    const id = await insertCustomer('Ours', 'ours@x.io');
    await apply(message({ type: 'customer.created', created: T0, customer: { id: 'cus_echo', name: 'Ours', email: 'ours@x.io', metadata: { internal_id: String(id) } } }));
    expect(await customers()).toHaveLength(1);
    expect(await mappings()).toMatchObject([{ internal_id: id, external_id: 'cus_echo' }]);
    expect(await outbox()).toEqual([]);
  });

  it('links to an unmapped customer with the same email, keeps ours, and queues our state for Stripe', async () => {
    const id = await insertCustomer('Our Name', 'shared@x.io');
    await apply(message({ type: 'customer.created', created: T0, customer: { id: 'cus_same', name: 'Their Name', email: 'SHARED@x.io', metadata: {} } }));
    expect(await customers()).toMatchObject([{ id, name: 'Our Name' }]);
    expect(await mappings()).toMatchObject([{ internal_id: id, external_id: 'cus_same' }]);
    expect(await outbox()).toEqual([{ event_type: 'customer.updated', origin: 'internal', aggregate_id: id }]);
    const [audit] = await query<{ payload: { action: string; detail: string } }>(`select payload from sync_events where status = 'success'`);
    expect(audit!.payload).toMatchObject({ action: 'linked', detail: 'same email' });
  });

  it('an email that belongs to a customer linked to another Stripe customer is a conflict: parked, nothing changed', async () => {
    const id = await insertCustomer('Taken', 'taken@x.io');
    await query(`insert into external_mappings (internal_id, external_system, external_id) values ($1, 'stripe', 'cus_original')`, [id]);
    const m = message({ type: 'customer.created', created: T0, customer: { id: 'cus_intruder', name: 'Other', email: 'taken@x.io', metadata: {} } });
    await expect(apply(m)).rejects.toThrow(ParkForReview);
    await expect(apply(m)).rejects.toThrow(/email belongs to customer 1, which is linked to cus_original/);
    expect(await customers()).toHaveLength(1);
    expect(await mappings()).toHaveLength(1);
    expect(await outbox()).toEqual([]);
    expect(await query('select 1 from processed_events')).toEqual([]); // a replay after review is not a "duplicate"
  });

  it('a record we cannot represent (no email) is parked for review', async () => {
    await expect(apply(message({ type: 'customer.created', created: T0, customer: { id: 'cus_noemail', name: 'No Email', email: null, metadata: {} } }))).rejects.toThrow(
      /has no usable email/,
    );
    expect(await customers()).toEqual([]);
  });
});

describe('inbound: customer.updated', () => {
  let id: number;
  beforeEach(async () => {
    await apply(message({ type: 'customer.created', created: T0, customer: { id: 'cus_u', name: 'V0', email: 'u@x.io', metadata: {} } }));
    id = (await customers())[0]!.id;
  });

  it('applies the fields and writes an outbox row origin=stripe', async () => {
    // Stripe's previous_attributes name what changed: here both fields.
    await apply(message({ created: T0 + 5, customer: { id: 'cus_u', name: 'V1', email: 'u1@x.io' }, previous: { name: 'V0', email: 'u@x.io' } }));
    expect(await customers()).toMatchObject([{ id, name: 'V1', email: 'u1@x.io', version: 2 }]);
    expect((await outbox()).map((o) => `${o.event_type}/${o.origin}`)).toEqual(['customer.created/stripe', 'customer.updated/stripe']);
  });

  it('values the event does not name as changed are an older snapshot: ours stay', async () => {
    // Only the name changed there (previous_attributes); the event's email is not news.
    await apply(message({ created: T0 + 5, customer: { id: 'cus_u', name: 'V1', email: 'stale@x.io' }, previous: { name: 'V0' } }));
    expect(await customers()).toMatchObject([{ id, name: 'V1', email: 'u@x.io', version: 2 }]);
  });

  it('the echo of our own write changes nothing: no outbox row', async () => {
    await apply(message({ created: T0 + 5, customer: { id: 'cus_u', name: 'V0', email: 'u@x.io' } }));
    expect(await customers()).toMatchObject([{ version: 1 }]);
    expect(await outbox()).toHaveLength(1);
  });

  it('delivered newest-first, the older events never overwrite the newer state', async () => {
    for (const [t, name] of [[T0 + 30, 'V3'], [T0 + 20, 'V2'], [T0 + 10, 'V1']] as const) {
      await apply(message({ created: t, customer: { id: 'cus_u', name, email: 'u@x.io' } }));
    }
    expect(await customers()).toMatchObject([{ name: 'V3', version: 2 }]);
    const reasons = await query<{ reason: string }>(`select payload->>'reason' as reason from sync_events where status = 'skipped' order by id`);
    expect(reasons.map((r) => r.reason)).toEqual(['stale event', 'stale event']);
  });

  it('two updates in the same second: the tie is settled by Stripe’s current state', async () => {
    const live = await fetch(`${emu.url}/_emulator/dashboard/customers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Second', email: 'tie@x.io' }),
    }).then((r) => r.json() as Promise<{ id: string }>);
    await apply(message({ type: 'customer.created', created: T0 + 40, customer: { id: live.id, name: 'First', email: 'tie@x.io', metadata: {} } }));
    // "Second" happened after "First" in the same second; their events arrive in the wrong order.
    await apply(message({ created: T0 + 50, customer: { id: live.id, name: 'Second', email: 'tie@x.io' } }));
    await apply(message({ created: T0 + 50, customer: { id: live.id, name: 'First', email: 'tie@x.io' } }));
    const mine = (await customers()).find((c) => c.email === 'tie@x.io');
    expect(mine!.name).toBe('Second');
  });

  it('a wave of events goes through the batch path: common updates and records new to us applied together, the rest left for applyEvent', async () => {
    await apply(message({ type: 'customer.created', created: T0, customer: { id: 'cus_w', name: 'W0', email: 'w@x.io', metadata: {} } }));
    const wave = [
      message({ created: T0 + 5, customer: { id: 'cus_u', name: 'V1', email: 'u1@x.io' }, previous: { name: 'V0', email: 'u@x.io' } }), // applied
      message({ created: T0, customer: { id: 'cus_w', name: 'Tie', email: 'w@x.io' } }), // same second: left
      message({ type: 'customer.created', created: T0 + 5, customer: { id: 'cus_new', name: 'N', email: 'n@x.io', metadata: {} } }), // new to us: applied
      message({ type: 'customer.created', created: T0 + 5, customer: { id: 'cus_ours', name: 'O', email: 'o@x.io', metadata: { internal_id: '999' } } }), // carries an id of ours: left
    ].map((m, i) => ({ message: m, ctx: { key: String(i), topic: 't', partition: 0, offset: String(i), attempt: 1 } }));
    expect([...(await applyEventBatch(deps, wave))].sort()).toEqual([0, 2]);
    expect(await customers()).toMatchObject([{ id, name: 'V1', email: 'u1@x.io', version: 2 }, { name: 'W0' }, { name: 'N', email: 'n@x.io', version: 1 }]);
    expect((await outbox()).map((o) => `${o.event_type}/${o.origin}`)).toEqual(['customer.created/stripe', 'customer.created/stripe', 'customer.updated/stripe', 'customer.created/stripe']);
    expect(await mappings()).toEqual(expect.arrayContaining([expect.objectContaining({ external_id: 'cus_new', last_source_ts: String(T0 + 5) })]));
    const audits = await query<{ status: string; payload: Record<string, unknown> }>(`select status, payload from sync_events where payload->>'external_id' in ('cus_u', 'cus_new') order by id desc limit 2`);
    expect(audits).toEqual([
      { status: 'success', payload: { event_id: wave[2]!.message.payload.event_id, external_id: 'cus_new', via: 'webhook', action: 'created' } },
      { status: 'success', payload: { event_id: wave[0]!.message.payload.event_id, external_id: 'cus_u', via: 'webhook', action: 'updated' } },
    ]);
    // Applied once: the same wave again leaves the duplicate to applyEvent, which skips it.
    expect((await applyEventBatch(deps, wave.slice(0, 1))).size).toBe(0);
  });

  it("merges per field with what Stripe's previous_attributes names: its phone edit and our pending name edit both survive", async () => {
    // Our edit of the name, not yet confirmed by Stripe (the mapping still holds V0).
    await query(`update customers set name = 'Ours', version = 2, updated_at = $2 where id = $1`, [id, new Date((T0 + 30) * 1000)]);
    await apply(message({ created: T0 + 10, customer: { id: 'cus_u', name: 'V0', email: 'u@x.io', phone: '+1 555 0100' }, previous: { phone: null } }));
    expect(await query('select name, phone from customers')).toEqual([{ name: 'Ours', phone: '+1 555 0100' }]);
    const [audit] = await query<{ status: string }>(`select status from sync_events order by id desc limit 1`);
    expect(audit!.status).toBe('success');
    // Stripe must still be sent our name: the merged state goes out as a change of ours.
    expect((await outbox()).map((o) => `${o.event_type}/${o.origin}`)).toEqual(['customer.created/stripe', 'customer.updated/internal']);
  });

  it('an email taken by another customer is a conflict and changes nothing', async () => {
    await insertCustomer('Other', 'other@x.io');
    await expect(apply(message({ created: T0 + 5, customer: { id: 'cus_u', name: 'V1', email: 'other@x.io' }, previous: { email: 'u@x.io' } }))).rejects.toThrow(/email belongs to customer/);
    expect((await customers())[0]).toMatchObject({ name: 'V0', email: 'u@x.io' });
  });
});

describe('inbound: customer.deleted', () => {
  it('deletes ours (a tombstone), keeps the mapping as a tombstone link, and tells other systems with origin=stripe', async () => {
    await apply(message({ type: 'customer.created', created: T0, customer: { id: 'cus_d', name: 'D', email: 'd@x.io', metadata: {} } }));
    await apply(message({ type: 'customer.deleted', created: T0 + 1, customer: { id: 'cus_d' } }));
    const [c] = await customers();
    expect(c!.deleted_at).not.toBeNull();
    expect(await mappings()).toMatchObject([{ external_id: 'cus_d', last_source_ts: String(T0 + 1) }]);
    expect((await outbox()).map((o) => `${o.event_type}/${o.origin}`)).toEqual(['customer.created/stripe', 'customer.deleted/stripe']);
  });

  it('a late event about a deleted record never brings the customer back', async () => {
    await apply(message({ type: 'customer.created', created: T0, customer: { id: 'cus_late', name: 'L', email: 'late@x.io', metadata: {} } }));
    await apply(message({ type: 'customer.deleted', created: T0 + 2, customer: { id: 'cus_late' } }));
    // A duplicated, delayed update (older than the delete), and the events-API copy of the create:
    await apply(message({ created: T0 + 1, customer: { id: 'cus_late', name: 'L2', email: 'late@x.io' } }));
    await apply(message({ type: 'customer.created', created: T0 + 3, customer: { id: 'cus_late', name: 'L', email: 'late@x.io', metadata: {} } }));
    const rows = await customers();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.deleted_at).not.toBeNull();
  });

  it('our own deleted customer coming back as a Stripe create (internal_id) is skipped, not recreated', async () => {
    const id = await insertCustomer('Gone', 'gone@x.io');
    await query('update customers set deleted_at = now() where id = $1', [id]);
    await apply(message({ type: 'customer.created', created: T0, customer: { id: 'cus_gone', name: 'Gone', email: 'gone@x.io', metadata: { internal_id: String(id) } } }));
    expect(await query(`select 1 from customers where deleted_at is null`)).toEqual([]);
  });

  it('a delete for a record we never linked is skipped', async () => {
    await apply(message({ type: 'customer.deleted', created: T0, customer: { id: 'cus_unknown' } }));
    expect(await customers()).toEqual([]);
  });
});

describe('inbound: an invoice made in Stripe for a customer we do not map yet', () => {
  let raw: Stripe;
  beforeAll(() => {
    raw = new Stripe('sk_test_inbound', { host: '127.0.0.1', port: emu.port, protocol: 'http' });
  });
  beforeEach(() => fetch(`${emu.url}/_emulator/reset`, { method: 'POST' }));

  const admin = async <T = { id: string }>(path: string, body: unknown) => (await (await fetch(`${emu.url}/_emulator${path}`, { method: 'POST', body: JSON.stringify(body) })).json()) as T;
  /** Its invoice.created webhook as the gateway publishes it: the invoice as Stripe renders it (10 lines embedded). */
  const invoiceCreated = async (id: string, created = T0) => {
    const change = verifier.toChange({ id: `evt_${id}`, object: 'event', type: 'invoice.created', created, data: { object: await raw.invoices.retrieve(id) } })!;
    return externalChangeEnvelope(changeMessage('stripe', change, 'webhook')) as InboundMessage;
  };
  const invoiceRows = () => query<{ id: number; customer_id: number; status: string; amount_due: string }>('select id, customer_id, status, amount_due from invoices order by id');
  const linesOf = (id: number) => query(`select description, quantity, unit_amount from invoice_lines where invoice_id = $1 order by position`, [id]);

  it('imports the customer first (as its own event would), then the invoice with every line past the 10 the event embeds', async () => {
    const customer = await admin('/dashboard/customers?silent=true', { name: 'Made There', email: 'there@x.io' });
    const lines = Array.from({ length: 12 }, (_, i) => ({ description: `Hour ${i + 1}`, quantity: i + 1, unit_amount: 1000 + i }));
    const invoice = await admin('/dashboard/invoices?silent=true', { customer: customer.id, currency: 'usd', lines, finalize: true });
    const event = await invoiceCreated(invoice.id);
    const embedded = (event.payload as { state: Record<string, unknown> | null }).state;
    expect(embedded).toMatchObject({ linesIncomplete: true });
    expect(embedded?.lines).toHaveLength(10);

    await apply(event);
    expect(await customers()).toMatchObject([{ name: 'Made There', email: 'there@x.io' }]);
    const [ours] = await customers();
    const [imported] = await invoiceRows();
    expect(imported).toMatchObject({ customer_id: ours!.id, status: 'open', amount_due: String(lines.reduce((n, l) => n + l.quantity * l.unit_amount, 0)) });
    expect(await linesOf(imported!.id)).toEqual(lines.map((l) => ({ ...l, unit_amount: String(l.unit_amount) })));
    expect(await query(`select entity_type, internal_id, external_id from external_mappings order by id`)).toEqual([
      { entity_type: 'customer', internal_id: ours!.id, external_id: customer.id },
      { entity_type: 'invoice', internal_id: imported!.id, external_id: invoice.id },
    ]);
    // Both told to the other systems (origin stripe), and both audited.
    expect(await outbox()).toEqual([
      { event_type: 'customer.created', origin: 'stripe', aggregate_id: ours!.id },
      { event_type: 'invoice.created', origin: 'stripe', aggregate_id: imported!.id },
    ]);
    expect(await query(`select entity_type, status, payload->>'action' as action from sync_events where direction = 'inbound' order by id`)).toEqual([
      { entity_type: 'customer', status: 'success', action: 'created' },
      { entity_type: 'invoice', status: 'success', action: 'created' },
    ]);

    // A re-delivery of the invoice event is a duplicate; the customer is not imported twice.
    await apply(event);
    expect(await customers()).toHaveLength(1);
    expect(await invoiceRows()).toHaveLength(1);
  });

  it('links the customer to ours when the email is ours, and the invoice is ours too', async () => {
    const id = await insertCustomer('Our Name', 'shared@x.io');
    const customer = await admin('/dashboard/customers?silent=true', { name: 'Their Name', email: 'shared@x.io' });
    const invoice = await admin('/dashboard/invoices?silent=true', { customer: customer.id, currency: 'eur', lines: [{ description: 'Setup', unit_amount: 5000 }] });
    await apply(await invoiceCreated(invoice.id));
    expect(await customers()).toMatchObject([{ id, name: 'Our Name' }]);
    expect(await invoiceRows()).toMatchObject([{ customer_id: id, status: 'draft', amount_due: '5000' }]);
  });

  it('a customer a person must decide on (its email is another linked customer\'s) parks the invoice with the reason; nothing is written', async () => {
    const id = await insertCustomer('Taken', 'taken@x.io');
    await query(`insert into external_mappings (internal_id, external_system, external_id) values ($1, 'stripe', 'cus_original')`, [id]);
    const customer = await admin('/dashboard/customers?silent=true', { name: 'Other', email: 'taken@x.io' });
    const invoice = await admin('/dashboard/invoices?silent=true', { customer: customer.id, currency: 'eur', lines: [{ description: 'Setup', unit_amount: 5000 }] });
    const event = await invoiceCreated(invoice.id);
    await expect(apply(event)).rejects.toThrow(ParkForReview);
    await expect(apply(event)).rejects.toThrow(new RegExp(`its customer ${customer.id}: email belongs to customer ${id}, which is linked to cus_original`));
    expect(await invoiceRows()).toEqual([]);
    expect(await mappings()).toHaveLength(1);
    expect(await query('select 1 from processed_events')).toEqual([]);
  });

  it('a customer deleted in Stripe meanwhile: the invoice is skipped, naming it', async () => {
    const customer = await admin('/dashboard/customers?silent=true', { name: 'Gone', email: 'gone@x.io' });
    const invoice = await admin('/dashboard/invoices?silent=true', { customer: customer.id, currency: 'eur', lines: [{ description: 'Setup', unit_amount: 5000 }] });
    const event = await invoiceCreated(invoice.id);
    await fetch(`${emu.url}/_emulator/dashboard/customers/${customer.id}?silent=true`, { method: 'DELETE' });
    await apply(event);
    expect(await customers()).toEqual([]);
    expect(await query(`select status, payload->>'reason' as reason from sync_events where entity_type = 'invoice'`)).toEqual([{ status: 'skipped', reason: `customer ${customer.id} not linked here` }]);
  });
});
