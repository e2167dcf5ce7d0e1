import type { Producer } from 'kafkajs';
import { encodeMessage } from './bus';

type Envelope = Parameters<typeof encodeMessage>[1];

interface Pending {
  key: string;
  envelope: Envelope;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Publishes single messages with acks=all at high rates: while one send is in flight, new
 * messages queue, and the queue goes out as the next single send. Each caller's promise settles
 * when its own message is durable (or failed). One send at a time keeps per-key order.
 */
export class BatchingPublisher {
  private queue: Pending[] = [];
  private sending = false;

  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly maxBatch = 500,
  ) {}

  publish(key: string, envelope: Envelope): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ key, envelope, resolve, reject });
      if (!this.sending) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.sending = true;
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
