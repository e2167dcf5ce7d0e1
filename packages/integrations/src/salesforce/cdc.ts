import * as grpc from '@grpc/grpc-js';
import type { ChangeStream, ExternalCustomer, NeutralChange, StreamBatch, SubscribeOptions } from '../types';
import type { SalesforceClient } from './client';
import { decodeChangeEvent, type AccountChangeEvent } from './change-events';
import type { AccountShape } from './mapping';
import { pubSubClient, SchemaCache, sessionMetadata, type ConsumerEvent, type FetchRequest, type FetchResponse, type PubSubTarget } from './pubsub';

export type { PubSubTarget } from './pubsub';

export const TOPIC = '/data/AccountChangeEvent';
/** Events asked for at a time (the Pub/Sub API caps one request at 100). */
const BATCH = 100;
const MAX_BACKOFF_MS = 30_000;
/**
 * Salesforce sends a keep-alive at least every 270 s on an idle subscription: a stream silent for
 * longer is dead without knowing it (a half-open connection), and is opened again.
 */
export const DEFAULT_IDLE_MS = 300_000;

/** A stream silent for longer than its idle limit, cancelled by us. */
class StreamIdle extends Error {
  constructor(ms: number) {
    super(`no keep-alive for ${ms} ms: subscribing again`);
  }
}

/**
 * The cursor after an expired replay id: replay from EARLIEST, i.e. every event Salesforce still
 * keeps (3 days). The caller reconciles the gap by SOQL, but with LATEST, changes made between
 * that query and the new subscription would be in neither; EARLIEST redelivers some events the
 * catch-up already covers, which the engine's event ids and source timestamps make harmless.
 */
export const EARLIEST_CURSOR = '';

export const cursorOf = (replayId: Buffer): string => replayId.toString('base64');

function firstRequest(cursor: string | null): FetchRequest {
  if (cursor === null) return { topic_name: TOPIC, replay_preset: 'LATEST', num_requested: BATCH };
  if (cursor === EARLIEST_CURSOR) return { topic_name: TOPIC, replay_preset: 'EARLIEST', num_requested: BATCH };
  return { topic_name: TOPIC, replay_preset: 'CUSTOM', replay_id: Buffer.from(cursor, 'base64'), num_requested: BATCH };
}

/** Salesforce refuses a stored replay id it no longer has (older than retention) or never issued. */
function replayRejected(err: unknown): boolean {
  const e = err as Partial<grpc.ServiceError>;
  if (e.code !== grpc.status.INVALID_ARGUMENT) return false;
  const code = e.metadata?.get('error-code').map(String) ?? [];
  return code.some((c) => c.includes('replayid')) || /replay id/i.test(e.details ?? '');
}

/** onBatch failed: the caller's error, not the stream's, so it leaves subscribe instead of reconnecting. */
class ConsumerError extends Error {
  constructor(readonly original: unknown) {
    super('onBatch failed');
  }
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * Account changes over the Pub/Sub API's Subscribe stream. Flow control is the API's own: we ask
 * for BATCH events and ask for as many again only once onBatch has taken the previous ones, so a
 * slow consumer never has more than one batch in memory. Stream failures reconnect with backoff
 * from the last cursor delivered, so nothing is skipped and at most the batch in flight repeats.
 */
export class ChangeDataCapture implements ChangeStream {
  private readonly grpc;
  private readonly schemas;

  constructor(
    private readonly client: SalesforceClient,
    private readonly shape: AccountShape,
    target: PubSubTarget,
    /** The record as it is now: an UPDATE of the address names only the parts that changed. */
    private readonly refetch: (externalId: string) => Promise<ExternalCustomer | null>,
    private readonly idleMs: number = DEFAULT_IDLE_MS,
  ) {
    this.grpc = pubSubClient(target);
    this.schemas = new SchemaCache(this.grpc);
  }

  async subscribe(cursor: string | null, onBatch: (batch: StreamBatch) => Promise<void>, opts: SubscribeOptions): Promise<void> {
    let position = cursor;
    let failures = 0;
    const deliver = async (batch: StreamBatch): Promise<void> => {
      try {
        await onBatch(batch);
      } catch (err) {
        throw new ConsumerError(err);
      }
      position = batch.cursor;
      failures = 0;
    };
    while (!opts.signal.aborted) {
      try {
        await this.stream(position, opts.signal, deliver);
      } catch (err) {
        if (err instanceof ConsumerError) throw err.original;
        if (opts.signal.aborted) break;
        if (replayRejected(err)) {
          await deliver({ changes: [], cursor: EARLIEST_CURSOR, gap: { externalIds: [] } });
          position = EARLIEST_CURSOR;
          continue;
        }
        if ((err as Partial<grpc.ServiceError>).code === grpc.status.UNAUTHENTICATED) await this.client.relogin().catch(() => undefined);
        // Exponential with jitter, so that many workers do not reconnect in step.
        const delayMs = Math.min(MAX_BACKOFF_MS, 250 * 2 ** failures++) * (0.5 + Math.random() / 2);
        opts.onReconnect?.(err, delayMs);
        await sleep(delayMs, opts.signal);
      }
    }
  }

  close(): void {
    this.grpc.close();
  }

  /** One Subscribe call, until it fails, the server ends it, or `signal` aborts. */
  private async stream(cursor: string | null, signal: AbortSignal, deliver: (batch: StreamBatch) => Promise<void>): Promise<void> {
    const md = sessionMetadata(await this.client.session());
    const call = this.grpc.Subscribe(md);
    const cancel = () => call.cancel();
    signal.addEventListener('abort', cancel, { once: true });
    let idle = false;
    let watchdog: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => ((idle = true), call.cancel()), this.idleMs);
    };
    try {
      arm();
      call.write(firstRequest(cursor));
      for await (const res of call as AsyncIterable<FetchResponse>) {
        arm();
        if (res.events.length === 0) {
          // A keep-alive: nothing newer than latest_replay_id exists, provided we were owed
          // events (with no demand, events may be waiting behind it).
          if (res.pending_num_requested > 0 && res.latest_replay_id.length > 0) await deliver({ changes: [], cursor: cursorOf(res.latest_replay_id) });
          continue;
        }
        await deliver(await this.decode(res.events, md));
        call.write({ num_requested: res.events.length });
      }
    } catch (err) {
      if (signal.aborted && (err as Partial<grpc.ServiceError>).code === grpc.status.CANCELLED) return;
      throw idle ? new StreamIdle(this.idleMs) : err;
    } finally {
      clearTimeout(watchdog);
      signal.removeEventListener('abort', cancel);
      call.cancel();
    }
  }

  private async decode(events: readonly ConsumerEvent[], md: grpc.Metadata): Promise<StreamBatch> {
    const changes: NeutralChange[] = [];
    let gap: string[] | null = null;
    let everything = false;
    for (const e of events) {
      const schema = await this.schemas.get(e.event.schema_id, md);
      const decoded = decodeChangeEvent(schema.type.fromBuffer(e.event.payload) as AccountChangeEvent, schema.fields, this.shape, this.client.clientId);
      if ('gapIds' in decoded) {
        // GAP_OVERFLOW names no records: every record may have lost changes.
        if (decoded.gapIds.length === 0) everything = true;
        gap = [...(gap ?? []), ...decoded.gapIds];
        continue;
      }
      for (const change of decoded.changes) changes.push(await this.completeAddress(change));
    }
    const last = events.at(-1)!;
    return { changes, cursor: cursorOf(last.replay_id), ...(gap !== null ? { gap: { externalIds: everything ? [] : [...new Set(gap)] } } : {}) };
  }

  /**
   * An UPDATE of the address carries only the changed parts (the street alone, say), but our
   * address travels whole: read the record for the rest. If it is gone by now, its DELETE follows.
   */
  private async completeAddress(change: NeutralChange): Promise<NeutralChange> {
    if (!change.partial || !change.changedFields?.includes('address') || change.customer === null) return change;
    const now = await this.refetch(change.externalId);
    if (now === null) return { ...change, changedFields: change.changedFields.filter((f) => f !== 'address') };
    return { ...change, customer: { ...change.customer, address: now.address } };
  }
}
