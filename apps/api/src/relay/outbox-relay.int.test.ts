import { randomUUID } from 'node:crypto';
import { CustomerService, InvoiceService, openOrm, type MikroORM } from '@cs/domain';
import { catalogTopics, createKafka, createProducer, invoiceEventMessage, topics } from '@cs/kafka-schemas';
import { Client } from 'pg';
import { createLogger } from '@cs/platform';
import { collect, type Collected } from '../../../../test/support/kafka';
import { query, resetDatabase } from '../../../../test/support/db';
import { privateKafka } from '../../../../test/support/private-kafka';
import { OutboxRelay, RELAY_POLLING } from './outbox-relay';

const logger = createLogger({ name: 'relay-test', level: 'silent' });
const topic = topics(process.env.KAFKA_TOPIC_PREFIX).customerEvents;
const invoiceTopic = topics(process.env.KAFKA_TOPIC_PREFIX).invoiceEvents;

function startRelay(brokers = process.env.KAFKA_BROKERS!, pollMs = 200, pollingWaitMs?: number) {
  const kafka = createKafka({ brokers: brokers.split(','), clientId: 'relay-test', logger });
  const producer = createProducer(kafka);
  const relay = new OutboxRelay({ databaseUrl: process.env.DATABASE_URL!, producer, topics: catalogTopics(process.env.KAFKA_TOPIC_PREFIX), logger, pollMs, ...(pollingWaitMs !== undefined && { pollingWaitMs }) });
  relay.start();
  return { relay, async stop() { await relay.stop(); await producer.disconnect(); } };
}

const byTrace = (trace: string) => (m: Collected) => m.value.trace_id === trace;
const until = async (cond: () => boolean | Promise<boolean>, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

let orm: MikroORM;
let customers: CustomerService;
let invoices: InvoiceService;
beforeAll(async () => {
  orm = await openOrm({ databaseUrl: process.env.DATABASE_URL!, poolMax: 10 });
  customers = new CustomerService(orm);
  invoices = new InvoiceService(orm);
});
afterAll(() => orm.close());
beforeEach(() => resetDatabase());

describe('outbox relay', () => {
  it("publishes each row on its catalog's topic, and keeps a row of a catalog without one (and all after it) waiting", async () => {
    const trace = randomUUID();
    const seen = await collect(topic, byTrace(trace));
    await query(`insert into outbox (entity_type, aggregate_id, event_type, origin, envelope) values ('gizmo', 7, 'gizmo.created', 'internal', $1)`, [
      JSON.stringify({ id: randomUUID(), type: 'gizmo.created', idempotency_key: 'gizmo:7:v1', occurred_at: new Date().toISOString(), origin: 'internal', trace_id: trace, payload: {} }),
    ]);
    await customers.create({ name: 'Behind', email: `behind-${trace}@x.io` }, { origin: 'internal', traceId: trace });
    const relay = startRelay();
    try {
      await new Promise((r) => setTimeout(r, 1500));
      expect(seen.messages).toEqual([]);
      expect(await query('select entity_type from outbox where published_at is null order by id')).toEqual([{ entity_type: 'gizmo' }, { entity_type: 'customer' }]);
      await query(`delete from outbox where entity_type = 'gizmo'`);
      const [msg] = await seen.waitFor(1);
      expect(msg!.value.type).toBe('customer.created');
    } finally {
      await relay.stop();
      await seen.stop();
    }
  });

  it('publishes each committed change to customer.events, keyed by customer id, in the shared envelope', async () => {
    const trace = randomUUID();
    const seen = await collect(topic, byTrace(trace));
    const relay = startRelay();
    try {
      const c = await customers.create({ name: 'Ada', email: `ada-${trace}@x.io` }, { origin: 'internal', traceId: trace });
      await customers.update(c.id, { name: 'Ada L' }, undefined, { origin: 'internal', traceId: trace });
      await customers.remove(c.id, undefined, { origin: 'internal', traceId: trace });
      const msgs = await seen.waitFor(3);
      expect(msgs.map((m) => m.key)).toEqual([String(c.id), String(c.id), String(c.id)]);
      expect(msgs.map((m) => m.value.type)).toEqual(['customer.created', 'customer.updated', 'customer.deleted']);
      expect(msgs[1]!.value).toEqual({
        id: expect.any(String),
        type: 'customer.updated',
        idempotency_key: `customer:${c.id}:v2`,
        occurred_at: expect.any(String),
        origin: 'internal',
        trace_id: trace,
        payload: { customer_id: c.id, version: 2, snapshot: { name: 'Ada L', email: `ada-${trace}@x.io`, phone: null, address: null, deleted: false } },
      });
      expect(msgs[1]!.headers).toMatchObject({ 'trace-id': trace, type: 'customer.updated', 'idempotency-key': `customer:${c.id}:v2` });
      await until(async () => (await query(`select id from outbox where published_at is null`)).length === 0);
    } finally {
      await relay.stop();
      await seen.stop();
    }
  });

  it('publishes each invoice change to invoice.events, keyed by invoice id, in the invoice envelope; customer changes stay on customer.events', async () => {
    const trace = randomUUID();
    const seen = await collect(invoiceTopic, byTrace(trace));
    const seenCustomers = await collect(topic, byTrace(trace));
    const relay = startRelay();
    try {
      const ctx = { origin: 'internal', traceId: trace } as const;
      const c = await customers.create({ name: 'Ada', email: `inv-${trace}@x.io` }, ctx);
      const lines = [{ description: 'Seats', quantity: 2, unit_amount: 500 }];
      const { invoice } = await invoices.create(c.id, { currency: 'eur', collection_method: 'charge_automatically', due_date: null, description: null, lines }, ctx);
      await invoices.update(invoice.id, { description: 'March' }, undefined, ctx);
      await invoices.transition(invoice.id, 'finalize', undefined, ctx);
      await invoices.transition(invoice.id, 'mark_uncollectible', undefined, ctx);
      await invoices.transition(invoice.id, 'void', undefined, ctx);
      const { invoice: draft } = await invoices.create(c.id, { currency: 'usd', collection_method: 'charge_automatically', due_date: null, description: null, lines: [] }, ctx);
      await invoices.remove(draft.id, undefined, ctx);

      const msgs = await seen.waitFor(7);
      expect(msgs.map((m) => `${m.key} ${m.value.type} ${m.value.idempotency_key}`)).toEqual([
        `${invoice.id} invoice.created invoice:${invoice.id}:v1`,
        `${invoice.id} invoice.updated invoice:${invoice.id}:v2`,
        `${invoice.id} invoice.finalized invoice:${invoice.id}:v3`,
        `${invoice.id} invoice.marked_uncollectible invoice:${invoice.id}:v4`,
        `${invoice.id} invoice.voided invoice:${invoice.id}:v5`,
        `${draft.id} invoice.created invoice:${draft.id}:v1`,
        `${draft.id} invoice.deleted invoice:${draft.id}:v2`,
      ]);
      expect(invoiceEventMessage.parse(msgs[2]!.value)).toEqual({
        id: expect.any(String),
        type: 'invoice.finalized',
        idempotency_key: `invoice:${invoice.id}:v3`,
        occurred_at: expect.any(String),
        origin: 'internal',
        trace_id: trace,
        payload: { invoice_id: invoice.id, customer_id: c.id, version: 3, status: 'open' },
      });
      expect(msgs[2]!.headers).toMatchObject({ 'trace-id': trace, type: 'invoice.finalized' });
      const [created] = await seenCustomers.waitFor(1);
      expect(created!.value.type).toBe('customer.created');
      await new Promise((r) => setTimeout(r, 500)); // room for a stray message on the wrong topic
      expect(seenCustomers.messages).toHaveLength(1);
      await until(async () => (await query(`select id from outbox where published_at is null`)).length === 0);
    } finally {
      await relay.stop();
      await seen.stop();
      await seenCustomers.stop();
    }
  });

  it('with two relays running, publishes every change exactly once in a normal run', async () => {
    const trace = randomUUID();
    const seen = await collect(topic, byTrace(trace));
    const a = startRelay();
    const b = startRelay();
    try {
      await Promise.all(Array.from({ length: 60 }, (_, i) => customers.create({ name: `C${i}`, email: `c${i}-${trace}@x.io` }, { origin: 'internal', traceId: trace })));
      await seen.waitFor(60);
      await new Promise((r) => setTimeout(r, 1000)); // room for a duplicate to show up
      const keys = seen.messages.map((m) => m.value.idempotency_key);
      expect(keys).toHaveLength(60);
      expect(new Set(keys).size).toBe(60);
      expect([a.relay.isLeader(), b.relay.isLeader()].filter(Boolean)).toHaveLength(1);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await seen.stop();
    }
  });

  it('keeps rows while Kafka is down and publishes them all, in order, when it returns', async () => {
    const kafka = privateKafka('relay');
    await kafka.start();
    const trace = randomUUID();
    const relay = startRelay(kafka.brokers);
    try {
      const c = await customers.create({ name: 'v1', email: `down-${trace}@x.io` }, { origin: 'internal', traceId: trace });
      await until(async () => (await query(`select id from outbox where published_at is null`)).length === 0);

      await kafka.stop();
      for (let v = 2; v <= 6; v++) await customers.update(c.id, { name: `v${v}` }, undefined, { origin: 'internal', traceId: trace });
      const other = await customers.create({ name: 'other', email: `other-${trace}@x.io` }, { origin: 'internal', traceId: trace });
      expect(await query(`select id from outbox where published_at is null`)).toHaveLength(6);

      await kafka.start();
      const seen = await collect(topic, byTrace(trace), { brokers: kafka.brokers });
      await seen.waitFor(7, 60_000);
      const ofC = seen.messages.filter((m) => m.key === String(c.id)).map((m) => m.value.idempotency_key);
      expect(ofC).toEqual([1, 2, 3, 4, 5, 6].map((v) => `customer:${c.id}:v${v}`));
      expect(seen.messages.filter((m) => m.key === String(other.id))).toHaveLength(1);
      await seen.stop();
    } finally {
      await relay.stop();
      await kafka.destroy();
    }
  }, 180_000);

  describe('without a NOTIFY per commit while rows keep coming', () => {
    // The safety-net poll far out of reach: whatever is published in time came by NOTIFY or by the relay's own polling.
    const NO_POLL = 60_000;
    const polling = async () =>
      (await query(`select 1 from pg_locks where locktype = 'advisory' and objid = $1 and objsubid = 1 and mode = 'ExclusiveLock' and granted
                      and database = (select oid from pg_database where datname = current_database())`, [RELAY_POLLING])).length > 0;
    const queuedForPolling = async () =>
      (await query(`select 1 from pg_locks where locktype = 'advisory' and objid = $1 and objsubid = 1 and mode = 'ExclusiveLock' and not granted`, [RELAY_POLLING])).length > 0;
    const unpublished = async () => (await query(`select id from outbox where published_at is null`)).length;
    const rawRow = (trace: string, id: number) =>
      JSON.stringify({ id: randomUUID(), type: 'customer.created', idempotency_key: `customer:${id}:v1`, occurred_at: new Date().toISOString(), origin: 'internal', trace_id: trace, payload: {} });

    it('polls while rows come, and a commit after it went back to sleep still wakes it at once', async () => {
      const trace = randomUUID();
      const seen = await collect(topic, byTrace(trace));
      const relay = startRelay(undefined, NO_POLL);
      try {
        await customers.create({ name: 'First', email: `first-${trace}@x.io` }, { origin: 'internal', traceId: trace });
        await until(polling);
        await Promise.all(Array.from({ length: 30 }, (_, i) => customers.create({ name: `B${i}`, email: `b${i}-${trace}@x.io` }, { origin: 'internal', traceId: trace })));
        await seen.waitFor(31);
        await until(async () => !(await polling()));
        await customers.create({ name: 'Later', email: `later-${trace}@x.io` }, { origin: 'internal', traceId: trace });
        await seen.waitFor(32);
        expect(await unpublished()).toBe(0);
      } finally {
        await relay.stop();
        await seen.stop();
      }
    });

    it('publishes a row whose writer skipped its NOTIFY while the relay polled but committed after it stopped', async () => {
      const trace = randomUUID();
      const seen = await collect(topic, byTrace(trace));
      const relay = startRelay(undefined, NO_POLL);
      const writer = new Client({ connectionString: process.env.DATABASE_URL! });
      await writer.connect();
      try {
        await customers.create({ name: 'Wake', email: `wake-${trace}@x.io` }, { origin: 'internal', traceId: trace });
        await until(polling);
        await writer.query('begin');
        await writer.query(`insert into outbox (entity_type, aggregate_id, event_type, origin, envelope) values ('customer', 999, 'customer.created', 'internal', $1)`, [rawRow(trace, 999)]);
        // The relay finds nothing more, stops polling, and now waits for this writer before its last look.
        await until(async () => !(await polling()));
        await writer.query('commit');
        const msgs = await seen.waitFor(2);
        expect(msgs.map((m) => m.key)).toContain('999');
        expect(await unpublished()).toBe(0);
      } finally {
        await writer.end();
        await relay.stop();
        await seen.stop();
      }
    });
  
    it('after a wait for the polling lock that timed out, still publishes a row whose writer skipped its NOTIFY during the wait', async () => {
      const trace = randomUUID();
      const seen = await collect(topic, byTrace(trace));
      const relay = startRelay(undefined, NO_POLL, 2000);
      const holder = new Client({ connectionString: process.env.DATABASE_URL! });
      const skipper = new Client({ connectionString: process.env.DATABASE_URL! });
      await Promise.all([holder.connect(), skipper.connect()]);
      const insert = (c: Client, id: number) =>
        c.query(`insert into outbox (entity_type, aggregate_id, event_type, origin, envelope) values ('customer', $1, 'customer.created', 'internal', $2)`, [id, rawRow(trace, id)]);
      try {
        // A writer in flight while the relay sleeps: it holds the polling lock shared (and would notify).
        await holder.query('begin');
        await insert(holder, 901);
        await customers.create({ name: 'Wake', email: `wait-${trace}@x.io` }, { origin: 'internal', traceId: trace });
        await seen.waitFor(1);
        await until(queuedForPolling);
        // The relay's request is queued: this writer's try fails, so it does not notify.
        await skipper.query('begin');
        await insert(skipper, 902);
        await until(async () => !(await queuedForPolling()));
        await holder.query('rollback');
        await skipper.query('commit');
        const msgs = await seen.waitFor(2);
        expect(msgs.map((m) => m.key)).toEqual([expect.any(String), '902']);
      } finally {
        await Promise.all([holder.end(), skipper.end()]);
        await relay.stop();
        await seen.stop();
      }
    });
  });
});
