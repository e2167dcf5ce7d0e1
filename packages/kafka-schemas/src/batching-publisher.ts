import type { Producer } from 'kafkajs';
import { encodeMessage } from './bus';

type Envelope = Parameters<typeof encodeMessage>[1];

interface Pending {
  key: string;
  envelope: Envelope;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface BatchingOptions {
  /** The most messages one produce request carries. */
  maxBatch?: number;
  /**
   * How long a message that finds no send in flight waits for others to join its produce request
   * (Kafka's linger.ms), unless maxBatch arrive first; 0 sends it at once.
   */
  lingerMs?: number;
}

/**
 * Publishes single messages with acks=all at high rates: concurrent messages go out together in
 * one produce request. A message that finds no send in flight waits up to `lingerMs` for others;
 * while a send is in flight, new messages queue and go out as the next send, as soon as it is
 * done. Each caller's promise settles when its own message is durable, or fails with the whole
 * batch: a caller is never told "stored" for a produce that failed. One send at a time keeps
 * per-key order.
 */
export class BatchingPublisher {
  private queue: Pending[] = [];
  private sending = false;
  private lingering: NodeJS.Timeout | undefined;
  private readonly maxBatch: number;
  private readonly lingerMs: number;

  constructor(
    private readonly producer: Pick<Producer, 'send'>,
    private readonly topic: string,
    options: BatchingOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.lingerMs = options.lingerMs ?? 0;
  }

  publish(key: string, envelope: Envelope): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ key, envelope, resolve, reject });
      if (this.sending) return;
      if (this.lingerMs === 0 || this.queue.length >= this.maxBatch) void this.flush();
      else this.lingering ??= setTimeout(() => void this.flush(), this.lingerMs);
    });
  }

  private async flush(): Promise<void> {
    clearTimeout(this.lingering);
    this.lingering = undefined;
    this.sending = true;
    // Messages that queued behind a send have waited for it already: the next send goes at once.
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        await this.producer.send({ topic: this.topic, acks: -1, messages: batch.map((p) => encodeMessage(p.key, p.envelope)) });
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.sending = false;
  }
}
