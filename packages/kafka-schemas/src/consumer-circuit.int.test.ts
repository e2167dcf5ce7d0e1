import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { createKafka, createProducer } from './bus';
import { ReliableConsumer, type CircuitGate, type FailureClass, type ParkRequest } from './consumer';

// The consumer's side of a circuit breaker, over the real broker. The breaker itself (@cs/platform)
// is tested on its own; here a switch stands in for it, opened by the first failure of the system.
const kafka = createKafka({ brokers: process.env.KAFKA_BROKERS!.split(','), clientId: 'consumer-circuit-test' });
const silent = { error() {}, warn() {}, info() {}, debug() {} };
const schema = z.object({ n: z.number(), bad: z.boolean().optional() });
type Msg = z.infer<typeof schema>;

class Switch implements CircuitGate {
  closed = true;
  private waiters: Array<() => void> = [];
  open() {
    this.closed = false;
  }
  close() {
    this.closed = true;
    for (const go of this.waiters.splice(0)) go();
  }
  whenClosed() {
    return this.closed ? Promise.resolve() : new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}

class SystemDown extends Error {}
const classify = (err: unknown): FailureClass =>
  err instanceof SystemDown ? { retryable: true, systemDown: true, code: 'network_error', message: 'down' } : { retryable: true, code: 'validation', message: String(err) };

async function until(what: string, ok: () => boolean, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('ReliableConsumer with a circuit', () => {
  const admin = kafka.admin();
  const producer = createProducer(kafka);
  const topics: string[] = [];
  const consumers: Array<ReliableConsumer<typeof schema>> = [];

  beforeAll(() => Promise.all([admin.connect(), producer.connect()]));
  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  });

  async function run(messages: Array<[string, Msg]>, handle: (m: Msg, attempt: number) => Promise<void>, gate: Switch, withBatch = false, beforeHandling = true) {
    const topic = `${process.env.KAFKA_TOPIC_PREFIX}consumer-circuit.${randomUUID()}`;
    topics.push(topic);
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await producer.send({ topic, acks: -1, messages: messages.map(([key, v]) => ({ key, value: JSON.stringify(v) })) });
    const parked: Array<ParkRequest<Msg>> = [];
    const held: string[] = [];
    const waves: number[] = [];
    const groupId = `consumer-circuit-${randomUUID()}`;
    const consumer = new ReliableConsumer({
      kafka,
      groupId,
      topic,
      schema,
      logger: silent,
      concurrency: 4,
      retry: { maxAttempts: 2, baseMs: 1, maxMs: 2 },
      handle: (m, ctx) => handle(m, ctx.attempt),
      ...(withBatch
        ? {
            handleBatch: async (items: unknown[]) => {
              if (!gate.closed) waves.push(items.length);
              return new Set<number>();
            },
          }
        : {}),
      classify,
      circuit: () => gate,
      circuitBeforeHandling: beforeHandling,
      onHeld: (ctx) => void held.push(ctx.key),
      park: async (req) => void parked.push(req),
    });
    consumers.push(consumer);
    await consumer.start();
    return { parked, held, waves, consumer, groupId, topic };
  }

  it('an outage far longer than the retries parks nothing: messages wait, spend no attempt, and all go when the circuit closes', async () => {
    const gate = new Switch();
    const system = { up: false, calls: 0 };
    const applied: Array<{ n: number; attempt: number }> = [];
    const sent: Array<[string, Msg]> = Array.from({ length: 12 }, (_, i) => [`k${i % 6}`, { n: i }]);
    const { parked, held, waves } = await run(
      sent,
      async (m, attempt) => {
        system.calls++;
        if (!system.up) {
          gate.open(); // the breaker's threshold, reached at once
          throw new SystemDown();
        }
        applied.push({ n: m.n, attempt });
      },
      gate,
      true,
    );
    await until('a message held by the open circuit', () => held.length > 0);
    // Two attempts 1–2 ms apart would have parked every message by now, many times over.
    await new Promise((r) => setTimeout(r, 500));
    const callsWhileOpen = system.calls;
    await new Promise((r) => setTimeout(r, 200));
    expect(system.calls).toBe(callsWhileOpen); // nothing calls a system whose circuit is open
    expect(parked).toEqual([]);
    expect(applied).toEqual([]);

    system.up = true;
    gate.close();
    await until('every message applied', () => applied.length === sent.length);
    expect(parked).toEqual([]);
    expect(applied.every((a) => a.attempt === 1)).toBe(true);
    expect(waves).toEqual([]); // the fast path sends nothing while the circuit is open
    // Each key's messages still in order.
    for (let k = 0; k < 6; k++) expect(applied.filter((a) => a.n % 6 === k).map((a) => a.n)).toEqual([k, k + 6]);
  });

  it('while the circuit stays closed, failures count as attempts: one record’s failure, or the system’s below the threshold, still parks', async () => {
    const gate = new Switch();
    const { parked } = await run(
      [
        ['a', { n: 1, bad: true }],
        ['b', { n: 2 }],
      ],
      async (m) => {
        throw m.bad ? new Error('email invalid') : new SystemDown();
      },
      gate,
    );
    await until('both parked', () => parked.length === 2);
    expect(parked.map((p) => [p.key, p.code, p.attempts]).sort()).toEqual([
      ['a', 'validation', 2],
      ['b', 'network_error', 2],
    ]);
  });

  it('with circuitBeforeHandling false, messages that need no call go on while it is open; one that fails on the system waits, with no attempt spent', async () => {
    const gate = new Switch();
    gate.open();
    const applied: Array<{ n: number; attempt: number }> = [];
    let systemUp = false;
    // n = 1 needs the system (a refetch); the others do not.
    const { held, parked } = await run(
      [['a', { n: 1 }], ['b', { n: 2 }], ['c', { n: 3 }]],
      async (m, attempt) => {
        if (m.n === 1 && !systemUp) throw new SystemDown();
        applied.push({ n: m.n, attempt });
      },
      gate,
      false,
      false,
    );
    await until('the others applied, the one held', () => applied.length === 2 && held.length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(held).toEqual(['a']); // it waits; it does not try again while open
    systemUp = true;
    gate.close();
    await until('the held one applied', () => applied.length === 3);
    expect(applied.find((a) => a.n === 1)).toEqual({ n: 1, attempt: 1 });
    expect(parked).toEqual([]);
  });

  it('stopping while messages wait returns, and leaves them uncommitted for the next consumer', async () => {
    const gate = new Switch();
    gate.open();
    const handled: number[] = [];
    const { consumer, parked, groupId, topic } = await run([['a', { n: 1 }]], async (m) => void handled.push(m.n), gate);
    await new Promise((r) => setTimeout(r, 500));
    await consumer.stop(); // although the circuit never closed
    expect(handled).toEqual([]);
    expect(parked).toEqual([]);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(committed!.partitions.map((p) => p.offset)).toEqual(['-1', '-1']);
  });
});
