import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { z } from 'zod';
import { decodeMessage, type BusLogger, type Decoded } from './bus';

export interface FailureClass {
  retryable: boolean;
  code: string;
  message: string;
  retryAfterMs?: number | undefined;
  /** The system is down (not this message's fault): while its circuit is open the message waits without spending attempts. */
  systemDown?: boolean | undefined;
}

export interface MessageContext {
  key: string;
  topic: string;
  partition: number;
  offset: string;
  /** 1 on the first try. */
  attempt: number;
}

export interface ParkRequest<T> {
  topic: string;
  key: string;
  raw: string;
  message: T | undefined;
  reason: string;
  code: string;
  attempts: number;
}

/** What the consumer needs of a system's circuit breaker (@cs/platform's CircuitBreaker is one). */
export interface CircuitGate {
  /** Calls to the system may go. */
  readonly closed: boolean;
  /** Resolves once they may. */
  whenClosed(): Promise<void>;
}

export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

export interface ReliableConsumerOptions<S extends z.ZodType> {
  kafka: Kafka;
  groupId: string;
  topic: string;
  schema: S;
  logger: BusLogger;
  handle: (message: z.infer<S>, ctx: MessageContext) => Promise<void>;
  /**
   * Optional fast path for the common case. It gets at most one message per key (each key's
   * oldest not yet handled), applies the ones it can together and returns their indexes; a key
   * whose message it leaves (or all of them, if it throws) continues through `handle`, one by one
   * and in order, from that message on. What it returns as applied must be committed.
   */
  handleBatch?: (items: Array<{ message: z.infer<S>; ctx: MessageContext }>) => Promise<ReadonlySet<number>>;
  classify: (err: unknown, message: z.infer<S>) => FailureClass;
  /** Stores a message we give up on (dead-letter table + topic). If it throws, nothing is committed. */
  park: (req: ParkRequest<z.infer<S>>) => Promise<void>;
  onRetry?: (ctx: MessageContext, failure: FailureClass, delayMs: number, message: z.infer<S>) => void;
  /** After a message was parked; `failure` is undefined for a message that did not even decode. */
  onParked?: (req: ParkRequest<z.infer<S>>, failure: FailureClass | undefined) => void;
  /** Parking itself failed: the batch is not committed and Kafka delivers the message again. */
  onParkFailed?: (req: ParkRequest<z.infer<S>>, err: unknown, failure: FailureClass | undefined) => void;
  retry: RetryPolicy;
  /**
   * The circuit breaker of the system a message needs, if any. While it is not closed the message
   * waits, unhandled (the system is not called), and a `systemDown` failure is not an attempt:
   * however long an outage, no message is parked for it. When it closes, every waiting message goes.
   */
  circuit?: (message: z.infer<S>) => CircuitGate | undefined;
  /**
   * false: a message is handled even while its circuit is open, for handlers that call the system
   * only sometimes (the inbound worker reads a record's current state there only to settle a tie);
   * only a `systemDown` failure while it is open makes the message wait. Default true.
   */
  circuitBeforeHandling?: boolean;
  /** A `systemDown` failure came while the message's circuit was open: it waits, no attempt spent. */
  onHeld?: (ctx: MessageContext, failure: FailureClass, message: z.infer<S>) => void;
  /** Keys processed at once within a batch; messages of one key always run in order. */
  concurrency: number;
  partitionsConsumedConcurrently?: number;
  /**
   * The most one fetch brings per partition (kafkajs default 1 MB). Everything fetched is decoded
   * and held until its batch is done, so a consumer that handles messages one at a time while a
   * backlog drains holds less with a smaller figure; one that applies batches wants them large.
   */
  maxBytesPerPartition?: number;
  /**
   * A fetch waits (up to maxWaitMs) until this much is there (kafkajs default 1 byte: answer at
   * once). A consumer that applies batches together trades that wait for fewer, larger batches.
   */
  minBytes?: number;
  /**
   * The longest a fetch waits for minBytes (default 100 ms): what the last messages of a burst wait
   * before they are handled, since no more arrive to fill the fetch.
   */
  maxWaitMs?: number;
  /**
   * Commit a partition's offset at most this often (default 0: after every batch). Offsets are
   * still committed only for batches fully handled, so a crash re-delivers at most this much
   * more, and handlers are idempotent anyway; what it saves is a commit (a write to
   * __consumer_offsets, competing with producers for the broker's threads) per batch. Pending
   * offsets go out on a timer and when the consumer stops.
   */
  commitIntervalMs?: number;
  /** A batch still running after this long is reported (once a period), with the key it is on: a stuck partition shows. Default 30 s. */
  stallWarnMs?: number;
}

class Stopping extends Error {}

/** For a readiness check: throws until the consumers have joined their groups. */
export function assertStarted(started: boolean): void {
  if (!started) throw new Error('consumer group not joined yet');
}

export function backoffMs(attempt: number, policy: RetryPolicy, retryAfterMs?: number): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  const jittered = exp / 2 + Math.random() * (exp / 2); // "equal jitter": spread, but never near zero
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, policy.maxMs * 4));
}

/**
 * Consumes one topic at-least-once: per batch, messages are grouped by key; keys run in parallel,
 * each key's messages in order. A failure is retried with exponential backoff and jitter while it
 * is retryable and attempts remain, then the message is parked and the key moves on, so a poison
 * message never blocks a partition. A message whose system's circuit is open waits, spending no
 * attempt, until the circuit closes: an outage holds that system's messages, never parks them.
 * Offsets are committed only after the whole batch is handled (or parked), so a crash re-delivers
 * work rather than losing it: handlers must be idempotent.
 */
export class ReliableConsumer<S extends z.ZodType> {
  private consumer: Consumer | undefined;
  private stopping = false;
  private running = false;
  private wakeSleepers = new Set<() => void>();
  /** Offsets of handled batches not committed yet (commitIntervalMs), by topic:partition. */
  private readonly uncommitted = new Map<string, { topic: string; partition: number; offset: string }>();
  private lastCommit = 0;
  private commitTimer: NodeJS.Timeout | undefined;
  /** The keys being handled now, by topic:partition, with their offset and attempt: what a stall report names. */
  private readonly inFlight = new Map<string, Set<string>>();

  constructor(private readonly opts: ReliableConsumerOptions<S>) {}

  async start(): Promise<void> {
    const { kafka, groupId, topic } = this.opts;
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: this.opts.maxWaitMs ?? 100,
      retry: { retries: 10 },
      ...(this.opts.maxBytesPerPartition ? { maxBytesPerPartition: this.opts.maxBytesPerPartition } : {}),
      ...(this.opts.minBytes ? { minBytes: this.opts.minBytes } : {}),
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently ?? 3,
      eachBatch: async ({ batch, heartbeat, resolveOffset }) => {
        const groups = new Map<string, KafkaMessage[]>();
        for (const m of batch.messages) {
          const key = m.key?.toString() ?? '';
          const list = groups.get(key);
          if (list) list.push(m);
          else groups.set(key, [m]);
        }
        const beat = setInterval(() => void heartbeat().catch(() => undefined), 1_000);
        // Heartbeats keep a stuck batch's partition assigned to us: say so, or it stalls unseen.
        const began = Date.now();
        const stall = setInterval(() => {
          const { topic, partition } = batch;
          this.opts.logger.warn({ topic, partition, firstOffset: batch.firstOffset(), lastOffset: batch.lastOffset(), runningMs: Date.now() - began, at: [...this.handling(topic, partition)] }, 'batch still running');
        }, this.opts.stallWarnMs ?? 30_000);
        try {
          const decoded = new Map<KafkaMessage, Decoded<z.infer<S>>>();
          if (this.opts.handleBatch) await this.handleInWaves(groups, decoded, batch.topic, batch.partition);
          const queue = [...groups.entries()].filter(([, list]) => list.length > 0);
          await Promise.all(
            Array.from({ length: Math.min(this.opts.concurrency, queue.length) }, async () => {
              for (let next = queue.shift(); next; next = queue.shift()) {
                for (const m of next[1]) await this.process(m, next[0], batch.topic, batch.partition, decoded.get(m));
              }
            }),
          );
        } finally {
          clearInterval(beat);
          clearInterval(stall);
        }
        if (batch.messages.length === 0) return;
        resolveOffset(batch.lastOffset()); // where the next fetch starts
        const next = { topic: batch.topic, partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() };
        if (!this.opts.commitIntervalMs) {
          await consumer.commitOffsets([next]);
          return;
        }
        this.uncommitted.set(`${next.topic}:${next.partition}`, next);
        if (Date.now() - this.lastCommit >= this.opts.commitIntervalMs) await this.commitHandled();
      },
    });
    if (this.opts.commitIntervalMs) {
      const every = this.opts.commitIntervalMs;
      // A partition that has gone to another member keeps its last commit: what this one handled
      // since is re-delivered there (idempotent handlers), never skipped.
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        for (const [key, o] of this.uncommitted) if (!(payload.memberAssignment[o.topic] ?? []).includes(o.partition)) this.uncommitted.delete(key);
      });
      this.commitTimer = setInterval(() => {
        if (Date.now() - this.lastCommit >= every) void this.commitHandled().catch((err: unknown) => this.opts.logger.warn({ err }, 'could not commit offsets; they go with the next commit'));
      }, every);
      this.commitTimer.unref();
    }
    this.running = true;
  }

  /** Commits every handled batch's offset not committed yet, in one request. */
  private async commitHandled(): Promise<void> {
    this.lastCommit = Date.now();
    if (this.uncommitted.size === 0 || !this.consumer) return;
    const offsets = [...this.uncommitted.values()];
    this.uncommitted.clear();
    try {
      await this.consumer.commitOffsets(offsets);
    } catch (err) {
      // Put back what no later batch has replaced, for the next commit.
      for (const o of offsets) if (!this.uncommitted.has(`${o.topic}:${o.partition}`)) this.uncommitted.set(`${o.topic}:${o.partition}`, o);
      throw err;
    }
  }

  /** Started and not stopping: what a worker's readiness needs besides its connections. */
  get started(): boolean {
    return this.running && !this.stopping;
  }

  /** Stops fetching, abandons retries in progress (they are re-delivered), and leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of this.wakeSleepers) wake();
    clearInterval(this.commitTimer);
    await this.commitHandled().catch((err: unknown) => this.opts.logger.warn({ err }, 'could not commit offsets before leaving; those batches are re-delivered'));
    await this.consumer?.disconnect();
  }

  /**
   * The fast path: wave after wave, each key's oldest message goes to handleBatch; what it applies
   * is taken off its key's list. A key it leaves (or whose message does not decode) stays for the
   * one-by-one path from that message on, so every key's messages still apply in order.
   */
  private async handleInWaves(groups: Map<string, KafkaMessage[]>, decoded: Map<KafkaMessage, Decoded<z.infer<S>>>, topic: string, partition: number) {
    let fast = [...groups.entries()];
    while (fast.length > 0) {
      if (this.stopping) throw new Stopping('consumer stopping');
      const wave: Array<{ list: KafkaMessage[]; item: { message: z.infer<S>; ctx: MessageContext } }> = [];
      for (const [key, list] of fast) {
        const m = list[0];
        if (!m) continue;
        const d = decoded.get(m) ?? decodeMessage(this.opts.schema, m);
        decoded.set(m, d);
        // A message whose system's circuit is open waits on the one-by-one path.
        if (d.ok && (this.opts.circuitBeforeHandling === false || this.opts.circuit?.(d.value)?.closed !== false)) wave.push({ list, item: { message: d.value, ctx: { key, topic, partition, offset: m.offset, attempt: 1 } } });
      }
      if (wave.length === 0) return;
      let applied: ReadonlySet<number>;
      const label = `a wave of ${wave.length} from offset ${wave[0]!.item.ctx.offset}`;
      const running = this.handling(topic, partition).add(label);
      try {
        applied = await this.opts.handleBatch!(wave.map((w) => w.item));
      } catch (err) {
        this.opts.logger.warn({ err, topic, partition, messages: wave.length }, 'batch apply failed; applying these one by one');
        return;
      } finally {
        running.delete(label);
      }
      const moving = new Set(wave.filter((_, i) => applied.has(i)).map((w) => w.list));
      for (const list of moving) list.shift();
      fast = fast.filter(([, list]) => moving.has(list) && list.length > 0);
    }
  }

  private async process(m: KafkaMessage, key: string, topic: string, partition: number, known?: Decoded<z.infer<S>>): Promise<void> {
    const decoded = known ?? decodeMessage(this.opts.schema, m);
    if (!decoded.ok) {
      await this.park({ topic, key, raw: decoded.raw, message: undefined, reason: `invalid message: ${decoded.error}`, code: 'invalid_message', attempts: 0 }, undefined);
      return;
    }
    const running = this.handling(topic, partition);
    const gate = this.opts.circuit?.(decoded.value);
    const gatesEveryTry = this.opts.circuitBeforeHandling !== false;
    let gated = gatesEveryTry;
    for (let attempt = 1; ; ) {
      if (this.stopping) throw new Stopping('consumer stopping');
      if (gate && gated && !gate.closed) await this.waitFor(gate, running, `key ${key} offset ${m.offset} attempt ${attempt} waiting for its system's circuit to close`);
      gated = gatesEveryTry;
      const ctx: MessageContext = { key, topic, partition, offset: m.offset, attempt };
      const label = `key ${key} offset ${m.offset} attempt ${attempt}`;
      running.add(label);
      try {
        await this.opts.handle(decoded.value, ctx);
        return;
      } catch (err) {
        if (this.stopping) throw new Stopping('consumer stopping');
        const failure = this.opts.classify(err, decoded.value);
        if (failure.systemDown && gate && !gate.closed) {
          this.opts.onHeld?.(ctx, failure, decoded.value);
          gated = true;
          continue; // the same attempt again, once the circuit closes
        }
        if (!failure.retryable || attempt >= this.opts.retry.maxAttempts) {
          const reason = failure.retryable ? `gave up after ${attempt} attempts: ${failure.message}` : failure.message;
          await this.park({ topic, key, raw: m.value?.toString('utf8') ?? '', message: decoded.value, reason, code: failure.code, attempts: attempt }, failure);
          return;
        }
        const delay = backoffMs(attempt, this.opts.retry, failure.retryAfterMs);
        this.opts.onRetry?.(ctx, failure, delay, decoded.value);
        await this.sleep(delay);
        attempt++;
      } finally {
        running.delete(label);
      }
    }
  }

  /** Until the circuit closes, or the consumer stops (then the batch is left uncommitted, for redelivery). */
  private async waitFor(gate: CircuitGate, running: Set<string>, label: string): Promise<void> {
    running.add(label);
    try {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.wakeSleepers.delete(done);
          resolve();
        };
        this.wakeSleepers.add(done);
        void gate.whenClosed().then(done);
      });
    } finally {
      running.delete(label);
    }
    if (this.stopping) throw new Stopping('consumer stopping');
  }

  private async park(req: ParkRequest<z.infer<S>>, failure: FailureClass | undefined): Promise<void> {
    try {
      await this.opts.park(req);
    } catch (err) {
      this.opts.onParkFailed?.(req, err, failure);
      throw err;
    }
    this.opts.onParked?.(req, failure);
  }

  private handling(topic: string, partition: number): Set<string> {
    const where = `${topic}:${partition}`;
    let set = this.inFlight.get(where);
    if (!set) this.inFlight.set(where, (set = new Set()));
    return set;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeSleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeSleepers.add(done);
    });
  }
}
