import { randomUUID } from 'node:crypto';
import { stateHash } from '../customer-rules';
import { openOrm, type MikroORM } from '../orm';
import { DELETED_HASH_INPUT } from './mappings';
import type { CustomerFields, ErrorClass, ExternalCustomer, Integration, WriteOptions } from '@cs/integrations';
import { envelope, type CustomerEventMessage, type MessageContext } from '@cs/kafka-schemas';
import { createLogger, TokenBucket } from '@cs/platform';
import { query, resetDatabase } from '../../../../test/support/db';
import { pushCustomer, type PushDeps } from './push-customer';

/** An external system in memory that records its calls; `onCreate` runs inside the create call. */
class FakeSystem {
  readonly system = 'stripe';
  readonly objectType = 'customer';
  readonly catalogs = { customer: this };
  readonly records = new Map<string, ExternalCustomer>();
  readonly calls: string[] = [];
  onCreate: (() => Promise<void>) | undefined;
  failAfterCreate = false;
  lastUpdate: Partial<CustomerFields> | undefined;

  async create(fields: CustomerFields, internalId: number, opts: WriteOptions): Promise<ExternalCustomer> {
    this.calls.push(`create ${opts.idempotencyKey}`);
    await this.onCreate?.();
    const record = { ...fields, phone: fields.phone ?? null, address: fields.address ?? null, externalId: `cus_${this.records.size + 1}`, internalId, deleted: false, createdTs: this.records.size };
    this.records.set(record.externalId, record);
    if (this.failAfterCreate) throw Object.assign(new Error('connection reset after the create'), { retryable: true });
    return record;
  }

  /** As Stripe does: a key used before replays its first answer and changes nothing. */
  private readonly answers = new Map<string, ExternalCustomer>();

  async update(externalId: string, fields: CustomerFields, opts: WriteOptions): Promise<ExternalCustomer> {
    this.calls.push(`update ${externalId} ${opts.idempotencyKey}`);
    this.lastUpdate = { ...fields };
    const replay = this.answers.get(opts.idempotencyKey);
    if (replay) return replay;
    const before = this.records.get(externalId)!;
    const record = { ...before, ...fields, phone: fields.phone === undefined ? before.phone : fields.phone, address: fields.address === undefined ? before.address : fields.address };
    this.records.set(externalId, record);
    this.answers.set(opts.idempotencyKey, record);
    return record;
  }

  async delete(externalId: string, opts: WriteOptions): Promise<void> {
    this.calls.push(`delete ${externalId} ${opts.idempotencyKey}`);
    this.records.set(externalId, { ...this.records.get(externalId)!, deleted: true });
  }

  async findByInternalId(internalId: number): Promise<ExternalCustomer | null> {
    this.calls.push(`search ${internalId}`);
    return [...this.records.values()].find((r) => r.internalId === internalId && !r.deleted) ?? null;
  }

  classifyError(err: unknown): ErrorClass {
    const retryable = (err as { retryable?: boolean }).retryable === true;
    return { retryable, code: retryable ? 'network_error' : 'bad_request', message: String(err) };
  }
}

let orm: MikroORM;
let fake: FakeSystem;
let deps: PushDeps;
beforeAll(async () => {
  orm = await openOrm({ databaseUrl: process.env.DATABASE_URL!, poolMax: 4 });
});
afterAll(() => orm.close());
beforeEach(async () => {
  await resetDatabase();
  fake = new FakeSystem();
  deps = { orm, integration: fake as unknown as Integration, limiter: new TokenBucket(10_000), logger: createLogger({ name: 'push-test', level: 'silent' }) };
});

const newCustomer = async (name = 'Ada', email = 'ada@x.io') =>
  (await query<{ id: number }>(`insert into customers (name, email) values ($1, $2) returning id`, [name, email]))[0]!.id;
const message = (type: CustomerEventMessage['type'], customerId: number, origin: 'internal' | 'stripe' | 'salesforce' = 'internal', key = `customer:${customerId}:${randomUUID()}`) =>
  envelope({ type, idempotency_key: key, origin, payload: { customer_id: customerId, version: 1 } }) as CustomerEventMessage;
const ctx = (attempt = 1): MessageContext => ({ key: 'k', topic: 't', partition: 0, offset: '0', attempt });
/** Pushes one message and returns its idempotency key, from which every provider key is derived. */
const push = async (type: CustomerEventMessage['type'], id: number, attempt = 1, key?: string) => {
  const msg = message(type, id, 'internal', key);
  await pushCustomer(deps, msg, ctx(attempt));
  return msg.idempotency_key;
};
const mappings = (id: number) =>
  query<{ external_id: string; last_synced_hash: string | null; synced: boolean }>(
    `select external_id, last_synced_hash, last_synced_at is not null as synced from external_mappings where internal_id = $1`,
    [id],
  );
const audit = (id: number) =>
  query<{ status: string; action: string | null; reason: string | null; processed: boolean }>(
    `select status, payload->>'action' as action, payload->>'reason' as reason, processed_at is not null as processed from sync_events where entity_id = $1 order by id`,
    [id],
  );

describe('pushCustomer against Postgres', () => {
  it('commits the pending marker before the create, then stores the mapping synced together with the success row', async () => {
    const id = await newCustomer();
    fake.onCreate = async () => expect(await audit(id)).toEqual([{ status: 'pending', action: 'create', reason: null, processed: false }]);
    const key = await push('customer.created', id);

    expect(fake.calls).toEqual([`create ${key}:stripe:create`]);
    expect(await mappings(id)).toEqual([{ external_id: 'cus_1', last_synced_hash: stateHash({ name: 'Ada', email: 'ada@x.io' }), synced: true }]);
    expect(await audit(id)).toEqual([
      { status: 'pending', action: 'create', reason: null, processed: false },
      { status: 'success', action: 'create', reason: null, processed: true },
    ]);
  });

  it('skips an unchanged customer without calling out, updates a changed one, and records each attempt', async () => {
    const id = await newCustomer();
    const created = await push('customer.created', id);
    await push('customer.created', id);
    await query(`update customers set name = 'Ada L', version = 2 where id = $1`, [id]);
    const updated = await push('customer.updated', id, 1, `customer:${id}:v2`);

    // Only the name changed since the record last held our state: the update sends the name alone,
    // under a key naming that write (a retry replays it; a different write is its own).
    expect(fake.calls).toEqual([`create ${created}:stripe:create`, expect.stringMatching(new RegExp(`^update cus_1 customer:${id}:v2:stripe:update:[0-9a-f]{12}$`))]);
    expect(fake.lastUpdate).toEqual({ name: 'Ada L' });
    expect(updated).toBe(`customer:${id}:v2`);
    expect((await mappings(id))[0]?.last_synced_hash).toBe(stateHash({ name: 'Ada L', email: 'ada@x.io' }));
    expect((await audit(id)).slice(2)).toEqual([
      { status: 'skipped', action: 'none', reason: 'unchanged', processed: true },
      { status: 'success', action: 'update', reason: null, processed: true },
    ]);
  });

  it('sends phone and address, clears them there when we clear them, and stores the state synced with the hash', async () => {
    const address = { line1: '1 Main St', line2: null, city: 'Leeds', state: null, postal_code: 'LS1', country: 'GB' };
    const id = await newCustomer();
    await query(`update customers set phone = '555 0100', address = $2 where id = $1`, [id, JSON.stringify(address)]);
    await push('customer.created', id);
    expect(fake.records.get('cus_1')).toMatchObject({ phone: '555 0100', address });
    const synced = { name: 'Ada', email: 'ada@x.io', phone: '555 0100', address };
    const stored = () => query(`select last_synced_hash, last_synced_state from external_mappings where internal_id = $1`, [id]);
    expect(await stored()).toEqual([{ last_synced_hash: stateHash(synced), last_synced_state: synced }]);

    await query(`update customers set phone = null, address = null, version = 2 where id = $1`, [id]);
    await push('customer.updated', id, 1, `customer:${id}:v2`);
    expect(fake.records.get('cus_1')).toMatchObject({ phone: null, address: null });
    // Back to no phone and no address: the hash is the one such a customer always had.
    expect(await stored()).toEqual([{ last_synced_hash: stateHash({ name: 'Ada', email: 'ada@x.io' }), last_synced_state: { ...synced, phone: null, address: null } }]);
  });

  it('after a failure that may have followed the create, finds the record instead of creating a second one', async () => {
    const id = await newCustomer();
    fake.failAfterCreate = true;
    const key = `customer:${id}:v1`;
    await expect(push('customer.created', id, 1, key)).rejects.toThrow('connection reset');
    expect(await mappings(id)).toEqual([]);
    fake.failAfterCreate = false;
    await push('customer.created', id, 2, key);

    expect(fake.calls).toEqual([`create ${key}:stripe:create`, `search ${id}`]);
    expect(fake.records.size).toBe(1);
    expect((await mappings(id))[0]?.external_id).toBe('cus_1');
    expect((await audit(id)).map((a) => `${a.status} ${a.action}`)).toEqual(['pending create', 'retrying null', 'success link']);
  });

  it('a repair of a version pushed before reaches the record there: its provider key is its own, not replayed', async () => {
    const id = await newCustomer();
    await push('customer.created', id, 1, `customer:${id}:v1`);
    await query(`update customers set name = 'Ada L', version = 2 where id = $1`, [id]);
    await push('customer.updated', id, 1, `customer:${id}:v2`);
    // Someone edits the record there, unseen; reconcile clears the hash and queues a repair of v2.
    fake.records.set('cus_1', { ...fake.records.get('cus_1')!, name: 'Drifted' });
    await query(`update external_mappings set last_synced_hash = null where internal_id = $1`, [id]);
    await push('customer.updated', id, 1, `customer:${id}:v2:reconcile:run1`);

    expect(fake.calls.slice(-1)).toEqual([`update cus_1 customer:${id}:v2:reconcile:run1:stripe:update`]);
    expect(fake.records.get('cus_1')).toMatchObject({ name: 'Ada L' });
  });

  it('keeps the mapping that was stored while the create ran (the inbound side linked it) and still marks it synced', async () => {
    const id = await newCustomer();
    fake.onCreate = async () => {
      await query(`insert into external_mappings (internal_id, external_system, external_id) values ($1, 'stripe', 'cus_1')`, [id]);
    };
    await push('customer.created', id);

    expect(await mappings(id)).toEqual([{ external_id: 'cus_1', last_synced_hash: stateHash({ name: 'Ada', email: 'ada@x.io' }), synced: true }]);
    expect((await audit(id)).map((a) => a.status)).toEqual(['pending', 'success']);
  });

  it('gives the record there our values when a found record differs', async () => {
    const id = await newCustomer();
    fake.records.set('cus_9', { externalId: 'cus_9', name: 'Old', email: 'old@x.io', phone: null, address: null, internalId: id, deleted: false, createdTs: 0 });
    await query(
      `insert into sync_events (event_id, event_type, entity_type, entity_id, external_system, status, payload, direction)
       values ($1, 'customer.created', 'customer', $2, 'stripe', 'pending', '{"action":"create"}', 'outbound')`,
      [randomUUID(), id],
    );
    const key = await push('customer.created', id);

    expect(fake.calls).toEqual([`search ${id}`, `update cus_9 ${key}:stripe:update`]);
    expect(fake.records.get('cus_9')).toMatchObject({ name: 'Ada', email: 'ada@x.io' });
    expect((await mappings(id))[0]).toMatchObject({ external_id: 'cus_9', synced: true });
  });

  it('deletes there once, keeps the mapping as a tombstone, and skips a repeated delete', async () => {
    const id = await newCustomer();
    await push('customer.created', id);
    await query(`update customers set deleted_at = now(), version = 2 where id = $1`, [id]);
    const deleted = await push('customer.deleted', id, 1, `customer:${id}:v2`);
    await push('customer.deleted', id, 1, `customer:${id}:v2`);

    expect(fake.calls.slice(1)).toEqual([`delete cus_1 ${deleted}:stripe:delete`]);
    expect(await mappings(id)).toEqual([{ external_id: 'cus_1', last_synced_hash: stateHash(DELETED_HASH_INPUT), synced: true }]);
    expect((await audit(id)).slice(2).map((a) => `${a.status} ${a.action} ${a.reason}`)).toEqual(['success delete null', 'skipped none already deleted there']);
  });

  it('ignores a replay meant for another system: no call, no audit row', async () => {
    const id = await newCustomer();
    await pushCustomer(deps, { ...message('customer.created', id), target_system: 'salesforce' }, ctx());
    expect(fake.calls).toEqual([]);
    expect(await audit(id)).toEqual([]);
    await pushCustomer(deps, { ...message('customer.created', id), target_system: 'stripe' }, ctx());
    expect(fake.calls).toHaveLength(1);
  });

  it('records a skip, and writes no create marker, for an echo, a missing customer and a deleted one never synced', async () => {
    const deleted = await newCustomer();
    await query(`update customers set deleted_at = now() where id = $1`, [deleted]);
    await pushCustomer(deps, message('customer.updated', deleted, 'stripe'), ctx());
    await push('customer.created', 999_999);
    await push('customer.deleted', deleted);

    expect(fake.calls).toEqual([`search ${deleted}`]);
    expect((await audit(deleted)).map((a) => `${a.status} ${a.reason}`)).toEqual(['skipped echo', 'skipped never synced']);
    expect((await audit(999_999)).map((a) => `${a.status} ${a.reason}`)).toEqual(['skipped customer does not exist']);
  });

  it('with one-way fields, writes only the fields that go there and skips a change of a field that comes only from there', async () => {
    (fake as unknown as { fieldMap: Record<string, string> }).fieldMap = { phone: 'from', address: 'to' };
    const id = await newCustomer();
    await query(`update customers set phone = '+15550001', address = '{"country": "FR", "city": "Lyon"}' where id = $1`, [id]);
    await push('customer.created', id);
    const created = fake.records.get('cus_1')!;
    expect(created.phone).toBeNull(); // phone comes only from there: never written
    expect(created.address).toMatchObject({ country: 'FR', city: 'Lyon' });

    await query(`update customers set phone = '+15550002', version = 2 where id = $1`, [id]);
    await push('customer.updated', id);
    expect(fake.calls.filter((c) => c.startsWith('update'))).toEqual([]);
    expect((await audit(id)).at(-1)).toMatchObject({ status: 'skipped', reason: 'unchanged' });

    await query(`update customers set name = 'Ada L', version = 3 where id = $1`, [id]);
    await push('customer.updated', id);
    expect(fake.calls.filter((c) => c.startsWith('update'))).toHaveLength(1);
    expect(fake.records.get('cus_1')).toMatchObject({ name: 'Ada L', phone: null });
  });
});

describe('who made the change, on the outbound rows', () => {
  const actors = (id: number) => query<{ status: string; actor: string | null }>(`select status, actor from sync_events where entity_id = $1 order by id`, [id]);

  it("carries the envelope's actor on every row of the push: the create marker, the result, a failed attempt", async () => {
    const id = await newCustomer();
    fake.failAfterCreate = true;
    const msg = { ...message('customer.created', id), actor: 'ci-bot' };
    await expect(pushCustomer(deps, msg, ctx())).rejects.toThrow(/connection reset/);
    fake.failAfterCreate = false;
    await pushCustomer(deps, msg, ctx(2));
    expect(await actors(id)).toEqual([
      { status: 'pending', actor: 'ci-bot' },
      { status: 'retrying', actor: 'ci-bot' },
      { status: 'success', actor: 'ci-bot' },
    ]);
  });

  it('names the system a change came from when the envelope has no actor, and nobody for ours without one (messages from before actors)', async () => {
    const fromSalesforce = await newCustomer('Grace', 'grace@x.io');
    await pushCustomer(deps, message('customer.created', fromSalesforce, 'salesforce'), ctx());
    const ours = await newCustomer('Ada', 'ada@x.io');
    await push('customer.created', ours);
    expect(await actors(fromSalesforce)).toEqual([
      { status: 'pending', actor: 'salesforce' },
      { status: 'success', actor: 'salesforce' },
    ]);
    expect(await actors(ours)).toEqual([
      { status: 'pending', actor: null },
      { status: 'success', actor: null },
    ]);
  });
});

describe('time-to-sync, on the outbound rows', () => {
  it("stamps every row of the push with when the change was committed here (the envelope's occurred_at)", async () => {
    const id = await newCustomer();
    const occurredAt = '2026-12-01T10:00:00.123Z';
    fake.failAfterCreate = true;
    const msg = { ...message('customer.created', id), occurred_at: occurredAt };
    await expect(pushCustomer(deps, msg, ctx())).rejects.toThrow(/connection reset/);
    fake.failAfterCreate = false;
    await pushCustomer(deps, msg, ctx(2));
    const rows = await query<{ status: string; source_at: Date | null; processed: boolean }>(
      `select status, source_at, processed_at >= source_at as processed from sync_events where entity_id = $1 order by id`,
      [id],
    );
    expect(rows).toEqual([
      { status: 'pending', source_at: new Date(occurredAt), processed: null },
      { status: 'retrying', source_at: new Date(occurredAt), processed: null },
      { status: 'success', source_at: new Date(occurredAt), processed: true },
    ]);
  });
});
