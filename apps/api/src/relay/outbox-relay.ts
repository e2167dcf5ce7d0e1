import { Client } from 'pg';
import type { Producer } from 'kafkajs';
import { encodeMessage } from '@cs/kafka-schemas';
import { outboxPublished, type Logger } from '@cs/platform';

export interface RelayOptions {
  databaseUrl: string;
  producer: Producer;
  /** The topic of each catalog's changes, by the outbox row's entity type (customer → customer.events). */
  topics: Record<string, string>;
  logger: Logger;
  /** Safety-net poll; NOTIFY wakes the relay at once in normal operation. */
  pollMs: number;
  /** While rows keep coming, the relay looks this often by itself and writers skip their NOTIFY. */
  activePollMs?: number;
  /** How long the relay waits for RELAY_POLLING when rows come (the writers holding it are committing). */
  pollingWaitMs?: number;
  batchSize?: number;
  /** Published rows older than this are deleted (the audit trail is sync_events, not the outbox). */
  retainMs?: number;
  onPublished?: (count: number, oldestCreatedAt: Date) => void;
}

// Any constant works; it only has to be the same for every relay instance.
const LEADER_LOCK = 741_852_963;
/** Held by the active relay while it polls: the outbox trigger then skips its NOTIFY (Migration20261211000000). */
export const RELAY_POLLING = 741_852_964;
/** Held shared by every outbox writer until its commit; taken by a relay that stops polling. */
export const RELAY_BARRIER = 741_852_965;
/** Empty looks in a row (at activePollMs) before the relay goes back to waiting for NOTIFY. */
const EMPTY_LOOKS_BEFORE_SLEEP = 50;
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * idle: waits for NOTIFY (or the safety-net poll). polling: holds RELAY_POLLING and looks every
 * activePollMs. leaving: dropped RELAY_POLLING, waits for the writers that skipped their NOTIFY.
 */
type Mode = 'idle' | 'polling' | 'leaving';

interface Row {
  id: string;
  entity_type: string;
  aggregate_id: number;
  envelope: { trace_id: string; type: string; idempotency_key: string } & Record<string, unknown>;
  created_at: Date;
}

/**
 * Publishes committed outbox rows to Kafka in id order and marks them published. Several
 * instances may run: a session advisory lock elects one active relay, so rows are not published
 * twice in normal operation (a crash between send and mark may re-publish; consumers dedupe by
 * the envelope's idempotency key). When Kafka is down rows simply wait, and go out in order later.
 */
export class OutboxRelay {
  private client: Client | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private leader = false;
  /** Set by NOTIFY; checked before sleeping so that a wake-up during a drain is not lost. */
  private notified = false;
  private lastPrune = 0;
  private mode: Mode = 'idle';
  private emptyLooks = 0;

  constructor(private readonly opts: RelayOptions) {}

  start(): void {
    this.loop = this.run();
  }

  isLeader(): boolean {
    return this.leader;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let backoff = 200;
    while (!this.stopped) {
      try {
        await this.connect();
        backoff = 200;
        while (!this.stopped) {
          if (!this.leader) this.leader = await this.tryLead();
          this.notified = false;
          if (this.leader && (await this.pace(await this.drain()))) continue;
          // The drain ends on a short batch, so the backlog was empty at its last look: while rows
          // keep coming the next look is soon; once idle it waits for a NOTIFY (a commit since) or
          // the safety-net poll, not another query.
          if (this.mode !== 'idle') await this.sleep(this.opts.activePollMs ?? 2);
          else if (!this.notified) await this.sleep(this.opts.pollMs);
        }
      } catch (err) {
        if (this.stopped) break;
        this.opts.logger.warn({ err, retryInMs: backoff }, 'outbox relay error; rows stay queued');
        await this.disconnect();
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
    await this.disconnect();
  }

  private async connect() {
    // kafkajs returns at once when already connected; after a broker outage this reconnects.
    await this.opts.producer.connect();
    if (this.client) return;
    const client = new Client({ connectionString: this.opts.databaseUrl, application_name: 'outbox-relay' });
    client.on('notification', () => {
      this.notified = true;
      this.wake?.();
    });
    client.on('error', (err) => this.opts.logger.warn({ err }, 'outbox relay connection error'));
    await client.connect();
    await client.query('LISTEN outbox');
    this.client = client;
  }

  private async disconnect() {
    const client = this.client;
    this.client = undefined;
    this.leader = false; // the advisory locks die with the session
    this.mode = 'idle';
    await client?.end().catch(() => undefined);
  }

  private async tryLead(): Promise<boolean> {
    const { rows } = await this.client!.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [LEADER_LOCK]);
    if (rows[0]?.ok) this.opts.logger.info('outbox relay is the active instance');
    return rows[0]?.ok === true;
  }

  /**
   * Under load a NOTIFY per commit costs more than it saves (each serialises the commits around
   * it), so once rows come the relay polls by itself and tells writers so; after a quiet spell it
   * goes back to waiting for NOTIFY. True when the caller should look again at once: the last look
   * after leaving, once every writer that skipped its NOTIFY has committed.
   */
  private async pace(published: number): Promise<boolean> {
    const client = this.client!;
    if (published > 0) {
      this.emptyLooks = 0;
      // A wait that timed out may have made writers skip their NOTIFY: leave through the barrier.
      if (this.mode !== 'polling') this.mode = (await this.startPolling(client)) ? 'polling' : 'leaving';
      return false;
    }
    if (this.mode === 'polling' && ++this.emptyLooks >= EMPTY_LOOKS_BEFORE_SLEEP) {
      await client.query('select pg_advisory_unlock($1)', [RELAY_POLLING]);
      this.mode = 'leaving';
    }
    // Taken without queueing: a waiting exclusive request would hold up every new writer.
    if (this.mode === 'leaving' && (await this.tryLock(client, RELAY_BARRIER))) {
      await client.query('select pg_advisory_unlock($1)', [RELAY_BARRIER]);
      this.mode = 'idle';
      return true;
    }
    return false;
  }

  /**
   * Waits a little for RELAY_POLLING rather than trying once: under load some notifying writer
   * nearly always holds it shared, while a queued request makes new writers' tries fail at once,
   * so they stop notifying and the holders drain. Session-level, so it outlives the transaction
   * that bounds the wait.
   */
  private async startPolling(client: Client): Promise<boolean> {
    try {
      await client.query(`begin; set local lock_timeout = '${this.opts.pollingWaitMs ?? 50}ms'; select pg_advisory_lock(${RELAY_POLLING}); commit`);
      return true;
    } catch (err) {
      await client.query('rollback');
      if ((err as { code?: string }).code === LOCK_NOT_AVAILABLE) return false;
      throw err;
    }
  }

  private async tryLock(client: Client, key: number): Promise<boolean> {
    const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [key]);
    return rows[0]?.ok === true;
  }

  /** Publishes until a select finds fewer rows than a batch (the backlog is empty); the rows published. */
  private async drain(): Promise<number> {
    const limit = this.opts.batchSize ?? 500;
    let published = 0;
    for (;;) {
      const { rows } = await this.client!.query<Row>(
        'select id, entity_type, aggregate_id, envelope, created_at from outbox where published_at is null order by id limit $1',
        [limit],
      );
      if (rows.length === 0) break;
      // One request for the whole batch, each row on its catalog's topic (in id order within each).
      await this.opts.producer.sendBatch({
        acks: -1,
        topicMessages: this.byTopic(rows).map(([topic, list]) => ({ topic, messages: list.map((r) => encodeMessage(String(r.aggregate_id), r.envelope as never)) })),
      });
      await this.client!.query('update outbox set published_at = now() where id = any($1::bigint[])', [rows.map((r) => r.id)]);
      outboxPublished().inc(rows.length);
      this.opts.onPublished?.(rows.length, rows[0]!.created_at);
      published += rows.length;
      if (rows.length < limit) break;
    }
    if (Date.now() - this.lastPrune > 60_000) await this.prune();
    return published;
  }

  private byTopic(rows: Row[]): Array<[string, Row[]]> {
    const groups = new Map<string, Row[]>();
    for (const row of rows) {
      const topic = this.opts.topics[row.entity_type];
      // Nothing else is published either, so the backlog (and its alert) shows it.
      if (!topic) throw new Error(`outbox row ${row.id}: no topic for entity type "${row.entity_type}"`);
      const list = groups.get(topic);
      if (list) list.push(row);
      else groups.set(topic, [row]);
    }
    return [...groups];
  }

  private async prune() {
    this.lastPrune = Date.now();
    const retainMs = this.opts.retainMs ?? 7 * 24 * 3600 * 1000;
    await this.client!.query(
      `delete from outbox where id in (select id from outbox where published_at < now() - ($1::bigint * interval '1 millisecond') limit 1000)`,
      [retainMs],
    );
  }

  private sleep(ms: number): Promise<void> {
    if (this.notified || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
