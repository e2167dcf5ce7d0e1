import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { StripeIntegration } from '@cs/integrations';
import { envelope, invoiceEventMessage, type CustomerEventMessage, type InvoiceEventMessage, type MessageContext } from '@cs/kafka-schemas';
import { createLogger, TokenBucket } from '@cs/platform';
import { startEmulator, type RunningEmulator } from '@cs/stripe-emulator';
import { query, resetDatabase } from '../../../../test/support/db';
import { syncedColumns } from './mappings';
import { importBatch } from '../inbound/import-batch';
import { applyExternalChange } from '../inbound/apply-external-change';
import type { ExternalState } from '../inbound/types';
import { InvoiceService } from '../invoices/service';
import { openOrm, type MikroORM } from '../orm';
import { pushCustomer, type PushDeps } from './push-customer';
import { pushInvoice, waitingReason } from './push-invoice';

// An invoice waiting for its customer's Stripe mapping is woken by the mapping, whichever path
// makes it (Migration20261207000000_invoice_waits), against Postgres and the Stripe emulator.
let emu: RunningEmulator;
let orm: MikroORM;
let stripe: StripeIntegration;
let deps: PushDeps;
let invoices: InvoiceService;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  orm = await openOrm({ databaseUrl: process.env.DATABASE_URL!, poolMax: 4 });
});
afterAll(async () => {
  await orm.close();
  await emu.close();
});
beforeEach(async () => {
  await resetDatabase();
  await fetch(`${emu.url}/_emulator/reset`, { method: 'POST' });
  stripe = new StripeIntegration({ secretKey: 'sk_test_invoice_waits', apiBase: emu.url });
  deps = { orm, integration: stripe, limiter: new TokenBucket(10_000), logger: createLogger({ name: 'invoice-waits-test', level: 'silent' }) };
  invoices = new InvoiceService(orm);
});

const ctx: MessageContext = { key: 'k', topic: 't', partition: 0, offset: '0', attempt: 1 };
const internal = { origin: 'internal' as const, traceId: 'test' };
const customerMessage = (id: number, key = `customer:${id}:v1`) =>
  envelope({ type: 'customer.created', idempotency_key: key, origin: 'internal', payload: { customer_id: id, version: 1 } }) as CustomerEventMessage;
const invoiceMessage = (id: number) =>
  envelope({ type: 'invoice.created', idempotency_key: `invoice:${id}:v1`, origin: 'internal', payload: { invoice_id: id, customer_id: 1, version: 1, status: 'draft' } }) as InvoiceEventMessage;
const newCustomer = async (email: string) => (await query<{ id: number }>(`insert into customers (name, email) values ('Ada', $1) returning id`, [email]))[0]!.id;
const draftOf = async (customerId: number) =>
  (await invoices.create(customerId, { currency: 'eur', collection_method: 'charge_automatically', due_date: null, description: null, lines: [{ description: 'Seat', quantity: 2, unit_amount: 500 }] }, internal)).invoice;
const dashboardCustomer = async (body: Record<string, unknown>) =>
  ((await (await fetch(`${emu.url}/_emulator/dashboard/customers?silent=true`, { method: 'POST', body: JSON.stringify(body) })).json()) as { id: string }).id;

/** A customer with no Stripe mapping and one draft whose push waited for it. */
async function waiting(email = 'ada@x.io'): Promise<{ customerId: number; invoiceId: number }> {
  const customerId = await newCustomer(email);
  const invoice = await draftOf(customerId);
  await expect(pushInvoice(deps, invoiceMessage(invoice.id), ctx)).resolves.toEqual({ status: 'skipped', action: 'none' });
  return { customerId, invoiceId: invoice.id };
}

/** The wake-up rows written for an invoice (outbox, entity invoice, key …:customer-linked:<system>). */
const wakeUps = async (invoiceId?: number) =>
  (await query<{ aggregate_id: number; envelope: InvoiceEventMessage }>(
    `select aggregate_id, envelope from outbox where entity_type = 'invoice' and envelope->>'idempotency_key' like '%:customer-linked:%'${invoiceId ? ' and aggregate_id = $1' : ''} order by id`,
    invoiceId ? [invoiceId] : [],
  )).map((r) => r.envelope);

const invoiceMapping = async (id: number) => (await query<{ external_id: string }>(`select external_id from external_mappings where entity_type = 'invoice' and internal_id = $1`, [id]))[0]?.external_id;

/** What the outbound worker does with the wake-up once the relay publishes it: the invoice reaches Stripe. */
async function deliver(invoiceId: number): Promise<void> {
  const [wake] = await wakeUps(invoiceId);
  expect(wake).toBeDefined();
  await pushInvoice(deps, invoiceEventMessage.parse(wake), ctx);
  expect(await invoiceMapping(invoiceId)).toMatch(/^in_/);
}

const stateOf = (name: string, email: string, internalId: number | null = null): ExternalState => ({ name, email, phone: null, address: null, internalId, deleted: false });

describe('an invoice waiting for its customer is woken by the customer\'s mapping, on every path', () => {
  it('our push creates the customer: one wake-up for that system, the envelope the outbox relay publishes', async () => {
    const { customerId, invoiceId } = await waiting();
    const other = await waiting('bob@x.io');
    const [invoice] = await query<{ version: number; updated_at: Date }>(`select version, updated_at from invoices where id = $1`, [invoiceId]);

    await pushCustomer(deps, customerMessage(customerId), ctx);
    const [wake, ...more] = await wakeUps();
    expect(more).toEqual([]);
    // What enqueueInvoiceChange writes, for that system alone: a valid invoice.events message.
    expect(invoiceEventMessage.parse(wake)).toEqual({
      id: expect.any(String),
      type: 'invoice.updated',
      idempotency_key: `invoice:${invoiceId}:v${invoice!.version}:customer-linked:stripe`,
      occurred_at: invoice!.updated_at.toISOString(),
      origin: 'internal',
      trace_id: expect.any(String),
      target_system: 'stripe',
      payload: { invoice_id: invoiceId, customer_id: customerId, version: invoice!.version, status: 'draft' },
    });
    expect(await query(`select origin, event_type, published_at from outbox where aggregate_id = $1 and entity_type = 'invoice' and envelope->>'idempotency_key' like '%customer-linked%'`, [invoiceId])).toEqual([
      { origin: 'internal', event_type: 'invoice.updated', published_at: null },
    ]);
    await deliver(invoiceId);
    expect(await wakeUps(other.invoiceId)).toEqual([]);
  });

  it('our push links a customer Stripe already has (found by our id): woken', async () => {
    const { customerId, invoiceId } = await waiting();
    await dashboardCustomer({ name: 'Ada', email: 'ada@x.io', metadata: { internal_id: String(customerId) } });
    // The create was tried before (a crash before the mapping), so the push looks for it first.
    await query(`insert into sync_events (event_id, event_type, entity_type, entity_id, external_system, status, payload, direction) values ($1, 'customer.created', 'customer', $2, 'stripe', 'pending', '{"action":"create"}', 'outbound')`, [randomUUID(), customerId]);
    await pushCustomer(deps, customerMessage(customerId), ctx);
    expect(await query(`select payload->>'action' as action from sync_events where entity_type = 'customer' and status = 'success'`)).toEqual([{ action: 'link' }]);
    await deliver(invoiceId);
  });

  it('the inbound worker links a Stripe customer by email, or by our id (the echo of our create): woken', async () => {
    const byEmail = await waiting('ada@x.io');
    const stripeId = await dashboardCustomer({ name: 'Ada', email: 'ada@x.io' });
    const outcome = await orm.em.fork().transactional((tx) =>
      applyExternalChange(tx, { system: 'stripe', objectType: 'customer', eventId: `evt_${randomUUID()}`, kind: 'created', externalId: stripeId, sourceTs: 2_000_000_000, state: stateOf('Ada', 'ada@x.io'), traceId: null }),
    );
    expect(outcome).toMatchObject({ status: 'success', action: 'linked', detail: 'same email' });
    await deliver(byEmail.invoiceId);

    const byId = await waiting('grace@x.io');
    const theirs = await dashboardCustomer({ name: 'Grace', email: 'grace.h@x.io', metadata: { internal_id: String(byId.customerId) } });
    await orm.em.fork().transactional((tx) =>
      applyExternalChange(tx, { system: 'stripe', objectType: 'customer', eventId: `evt_${randomUUID()}`, kind: 'created', externalId: theirs, sourceTs: 2_000_000_000, state: stateOf('Grace', 'grace.h@x.io', byId.customerId), traceId: null }),
    );
    await deliver(byId.invoiceId);
  });

  it('a set-based import linking by email (backfill\'s fast path): woken', async () => {
    const { invoiceId } = await waiting('ada@x.io');
    const untouched = await waiting('bob@x.io');
    const stripeId = await dashboardCustomer({ name: 'Ada', email: 'ada@x.io' });
    const result = await orm.em.fork().transactional((tx) =>
      importBatch(tx, { system: 'stripe', objectType: 'customer' }, [{ externalId: stripeId, eventId: `backfill:${randomUUID()}`, state: stateOf('Ada', 'ada@x.io') }, { externalId: 'cus_new', eventId: `backfill:${randomUUID()}`, state: stateOf('New', 'new@x.io') }], { sourceTs: 2_000_000_000, traceId: 'backfill:t' }),
    );
    expect(result.linked.size).toBe(1);
    expect(result.created.size).toBe(1);
    await deliver(invoiceId);
    expect(await wakeUps(untouched.invoiceId)).toEqual([]);
  });

  it('a mapping written by hand wakes it too (the trigger is the one seam)', async () => {
    const { customerId, invoiceId } = await waiting();
    const stripeId = (await stripe.catalogs.customer.create({ name: 'Ada', email: 'ada@x.io' }, customerId, { idempotencyKey: randomUUID() })).externalId;
    const [hash, state] = syncedColumns({ name: 'Ada', email: 'ada@x.io', phone: null, address: null });
    await query(`insert into external_mappings (entity_type, internal_id, external_system, external_object_type, external_id, last_synced_hash, last_synced_state) values ('customer', $1, 'stripe', 'customer', $2, $3, $4)`, [customerId, stripeId, hash, state]);
    await deliver(invoiceId);
  });

  it('wakes only what waited for that system: not a mapped invoice, a deleted draft, one that never waited, nor for another system', async () => {
    const { customerId, invoiceId } = await waiting();
    const deletedDraft = await draftOf(customerId);
    await pushInvoice(deps, invoiceMessage(deletedDraft.id), ctx);
    await invoices.remove(deletedDraft.id, undefined, internal);
    await draftOf(customerId); // never pushed, so it never waited
    const mapped = await draftOf(customerId);
    await pushInvoice(deps, invoiceMessage(mapped.id), ctx);
    await query(`insert into external_mappings (entity_type, internal_id, external_system, external_object_type, external_id) values ('invoice', $1, 'stripe', 'invoice', 'in_elsewhere')`, [mapped.id]);

    await query(`insert into external_mappings (entity_type, internal_id, external_system, external_object_type, external_id) values ('customer', $1, 'salesforce', 'Account', '001A')`, [customerId]);
    expect(await wakeUps()).toEqual([]);
    await pushCustomer(deps, customerMessage(customerId), ctx);
    expect((await wakeUps()).map((w) => w.payload.invoice_id)).toEqual([invoiceId]);
  });
});

describe('the race between an invoice deciding to wait and its customer\'s mapping', () => {
  let db: Client;
  beforeEach(async () => {
    db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
  });
  afterEach(async () => {
    await db.query('rollback').catch(() => undefined);
    await db.end();
  });

  /** Whether some backend waits for an advisory lock (the other side of the race is held at it). */
  const waitingForLock = async () => 
    (await query(`select 1 from pg_locks where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())`)).length > 0;
  const until = async (what: string, ok: () => Promise<boolean>) => {
    for (const deadline = Date.now() + 10_000; !(await ok()); ) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('a mapping not yet committed when the invoice looks: the invoice waits at the lock, then sees the mapping and goes out', async () => {
    const customerId = await newCustomer('ada@x.io');
    const invoice = await draftOf(customerId);
    const stripeId = (await stripe.catalogs.customer.create({ name: 'Ada', email: 'ada@x.io' }, customerId, { idempotencyKey: randomUUID() })).externalId;
    await db.query('begin');
    await db.query(`insert into external_mappings (entity_type, internal_id, external_system, external_object_type, external_id) values ('customer', $1, 'stripe', 'customer', $2)`, [customerId, stripeId]);

    const push = pushInvoice(deps, invoiceMessage(invoice.id), ctx);
    await until('the push to wait for the link', waitingForLock);
    await db.query('commit');
    await expect(push).resolves.toEqual({ status: 'success', action: 'create' });
    expect(await invoiceMapping(invoice.id)).toMatch(/^in_/);
    expect(await query(`select 1 from sync_events where entity_type = 'invoice' and payload->>'reason' = $1`, [waitingReason('stripe')])).toEqual([]);
  });

  it('a wait not yet committed when the mapping is written: the mapping waits at the lock, then sees the wait and wakes it', async () => {
    const customerId = await newCustomer('ada@x.io');
    const invoice = await draftOf(customerId);
    // The waiter's transaction as pushInvoice holds it: the lock, no mapping, its skip row.
    await db.query('begin');
    await db.query(`select pg_advisory_xact_lock_shared(hashtext('invoice-wait:stripe'), $1)`, [customerId]);
    await db.query(
      `insert into sync_events (event_id, event_type, entity_type, entity_id, external_system, status, payload, direction) values ($1, 'invoice.created', 'invoice', $2, 'stripe', 'skipped', $3, 'outbound')`,
      [randomUUID(), invoice.id, JSON.stringify({ action: 'none', reason: waitingReason('stripe') })],
    );

    const link = pushCustomer(deps, customerMessage(customerId), ctx);
    await until('the link to wait for the waiter', waitingForLock);
    await db.query('commit');
    await link;
    await deliver(invoice.id);
  });
});
