import type { Producer } from 'kafkajs';
import type { MikroORM } from '@mikro-orm/postgresql';
import { actorOf, envelope, publish, type ParkRequest } from '@cs/kafka-schemas';
import { parkDeadLetter } from './dead-letters';
import { recordSyncEvent } from './sync-events';

interface Parked {
  type?: string;
  trace_id?: string;
  origin?: unknown;
  actor?: unknown;
  payload?: { customer_id?: number };
}

export interface ParkerOptions {
  orm: MikroORM;
  producer: Producer;
  dlqTopic: string;
  system: string | null;
  direction: 'inbound' | 'outbound';
  /** The internal customer a parked message is about, when it can be told. */
  entityIdOf?: (message: unknown) => number | null;
}

/**
 * What both workers do with a message they give up on: a dead_letters row (what operators list
 * and replay), a sync_events row with the reason, and a copy on the sync.dlq topic for anything
 * downstream that watches failures. The table write comes first: it is the record that counts.
 */
export function createParker(opts: ParkerOptions) {
  return async function park(req: ParkRequest<unknown>): Promise<void> {
    const original = (req.message ?? safeJson(req.raw)) as Parked | undefined;
    const traceId = typeof original?.trace_id === 'string' ? original.trace_id : null;
    const em = opts.orm.em.fork();
    await em.transactional(async (tx) => {
      await parkDeadLetter(tx, {
        sourceTopic: req.topic,
        messageKey: req.key,
        system: opts.system,
        reason: req.reason,
        errorCode: req.code,
        attempts: req.attempts,
        envelope: original ?? { raw: req.raw },
        traceId,
      });
      const entityId = opts.entityIdOf?.(original) ?? original?.payload?.customer_id ?? 0;
      await recordSyncEvent(tx, {
        eventType: original?.type ?? 'unknown',
        entityId: typeof entityId === 'number' ? entityId : 0,
        system: opts.system,
        status: 'parked',
        direction: opts.direction,
        traceId,
        actor: actorOf(original),
        payload: { source_topic: req.topic, key: req.key, code: req.code },
        error: req.reason,
        retryCount: Math.max(0, req.attempts - 1),
      });
    });
    await publish(opts.producer, opts.dlqTopic, [
      {
        key: req.key,
        envelope: envelope({
          type: 'dead_letter',
          idempotency_key: `dlq:${req.topic}:${req.key}:${Date.now()}`,
          origin: 'operator',
          ...(traceId ? { trace_id: traceId } : {}),
          payload: { source_topic: req.topic, system: opts.system, reason: req.reason, error_code: req.code, attempts: req.attempts, original: original ?? { raw: req.raw } },
        }),
      },
    ]).catch(() => undefined); // the table row above is the durable record; the topic copy is best effort
  };
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
