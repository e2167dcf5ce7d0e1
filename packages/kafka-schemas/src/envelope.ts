import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/**
 * Where a change came from: `internal` (our API), `operator` (an admin action), or the name of the
 * connected system it came from (stripe, salesforce, any connector's). A change is never sent back
 * to the system it came from.
 */
export const origin = z.string().regex(/^[a-z][a-z0-9_-]{0,19}$/, 'origin must be internal, operator or a system name');
export type Origin = 'internal' | 'operator' | (string & {});

/** The one envelope every Kafka message has; `payload` is typed per message `type`. */
export const envelopeBase = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  idempotency_key: z.string().min(1).max(255),
  occurred_at: z.iso.datetime({ offset: true }),
  origin,
  trace_id: z.string().min(1).max(128),
  /** Only this system acts on the message (a dead letter replayed for the system it failed for); absent: every system. */
  target_system: z.string().min(1).max(50).optional(),
});

export function envelopeOf<T extends string, P extends z.ZodType>(type: T, payload: P) {
  return envelopeBase.extend({ type: z.literal(type), payload });
}

export interface EnvelopeInput<T extends string, P> {
  type: T;
  idempotency_key: string;
  origin: Origin;
  payload: P;
  trace_id?: string;
  occurred_at?: Date | string;
  id?: string;
}

export function envelope<T extends string, P>(input: EnvelopeInput<T, P>) {
  const occurred = input.occurred_at ?? new Date();
  return {
    id: input.id ?? randomUUID(),
    type: input.type,
    idempotency_key: input.idempotency_key,
    occurred_at: typeof occurred === 'string' ? occurred : occurred.toISOString(),
    origin: input.origin,
    trace_id: input.trace_id ?? randomUUID(),
    payload: input.payload,
  };
}
