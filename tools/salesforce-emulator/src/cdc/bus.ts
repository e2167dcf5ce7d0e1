import { randomUUID } from 'node:crypto';
import type { ChangeRecord, ChangeType, CommittedTransaction } from '../accounts/changes';
import type { Clock } from '../clock';
import { encodeChange } from './encode';
import type { ChangeEventSchema } from './schema';

export interface BusEvent {
  replayId: bigint;
  /** When it was committed (emulator clock), for retention. */
  at: number;
  id: string;
  payload: Buffer;
  changeType: ChangeType;
  recordIds: string[];
}

/** Replay ids are opaque to clients; here they are 8-byte big-endian counters, as the JS client decodes them. */
export function encodeReplayId(value: bigint): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64BE(value);
  return buf;
}

export function decodeReplayId(bytes: Buffer | Uint8Array): bigint | null {
  if (bytes.length !== 8) return null;
  return Buffer.from(bytes).readBigUInt64BE();
}

export type ReplayCheck = 'ok' | 'expired' | 'unknown';

/**
 * The AccountChangeEvent stream: ordered events with increasing replay ids, kept for the
 * retention window (judged on the emulator clock), and listeners woken on each publish.
 */
export class EventBus {
  private events: BusEvent[] = [];
  private nextReplay = 1n;
  /** Highest replay id purged by retention; 0 while nothing has been. */
  private purgedThrough = 0n;
  private commitNumber = 10_000_000_000;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly schema: ChangeEventSchema,
    private readonly clock: Clock,
    public retentionMs: number,
  ) {}

  publish(tx: CommittedTransaction): void {
    this.commitNumber++;
    tx.changes.forEach((change, i) => this.append(change, { transactionKey: tx.transactionKey, sequenceNumber: i + 1, commitNumber: this.commitNumber }));
    this.notify();
  }

  /** A gap or overflow event: header only, as Salesforce sends when it could not build the full event. */
  publishGap(changeType: ChangeType, recordIds: string[], commitUser: string): BusEvent {
    this.commitNumber++;
    const change: ChangeRecord = { changeType, recordIds, values: {}, changedFields: [], nulledFields: [], commitTimestamp: this.clock(), commitUser, changeOrigin: '' };
    const event = this.append(change, { transactionKey: randomUUID(), sequenceNumber: 1, commitNumber: this.commitNumber });
    this.notify();
    return event;
  }

  /** Replay id of the newest event, 0 when there is none. */
  get tip(): bigint {
    this.purge();
    return this.nextReplay - 1n;
  }

  /** Where EARLIEST starts: just before the oldest retained event. */
  get floor(): bigint {
    this.purge();
    return this.purgedThrough;
  }

  /** A CUSTOM replay id must name a point whose following events are all still retained. */
  check(replayId: bigint): ReplayCheck {
    this.purge();
    if (replayId > this.nextReplay - 1n) return 'unknown';
    if (replayId < this.purgedThrough || (replayId === this.purgedThrough && this.purgedThrough > 0n)) return 'expired';
    return 'ok';
  }

  /** Up to `max` events after `replayId`. */
  after(replayId: bigint, max: number): BusEvent[] {
    this.purge();
    // Replay ids are dense, so the index is a subtraction away.
    const first = this.events[0];
    if (first === undefined || max <= 0) return [];
    const start = Math.max(0, Number(replayId - first.replayId + 1n));
    return this.events.slice(start, start + max);
  }

  all(): BusEvent[] {
    this.purge();
    return this.events.slice();
  }

  onPublish(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Drops every event but keeps counting: a subscriber that stored a replay id before an admin
   * reset resumes after it instead of silently skipping the new events that reuse low ids.
   */
  clear(): void {
    this.events = [];
    this.purgedThrough = 0n;
  }

  private append(change: ChangeRecord, extras: { transactionKey: string; sequenceNumber: number; commitNumber: number }): BusEvent {
    const event: BusEvent = {
      replayId: this.nextReplay++,
      at: this.clock(),
      id: randomUUID(),
      payload: encodeChange(this.schema, change, extras),
      changeType: change.changeType,
      recordIds: change.recordIds,
    };
    this.events.push(event);
    return event;
  }

  private purge(): void {
    const cutoff = this.clock() - this.retentionMs;
    let drop = 0;
    while (drop < this.events.length && (this.events[drop]?.at ?? Infinity) < cutoff) drop++;
    if (drop === 0) return;
    this.purgedThrough = this.events[drop - 1]?.replayId ?? this.purgedThrough;
    this.events = this.events.slice(drop);
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
