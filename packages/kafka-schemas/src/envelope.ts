import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/**
 * Where a change came from: `internal` (our API), `operator` (an admin action), or the name of the
 * connected system it came from (stripe, salesforce, any connector's). A change is never sent back
 * to the system it came from.
 */
export const origin = z.string().regex(/^[a-z][a-z0-9_-]{0,19}$/, 'origin must be internal, operator or a system name');
export type Origin = 'internal' | 'operator' | (string & {});

/** An API key's name, as API_KEYS gives it (apps/api/src/api-keys.ts) or its digest name. */
export const actorName = z.string().regex(/^[A-Za-z0-9][\w.-]{0,39}$/, 'actor must be an API key name');

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
  /**
   * Who made the change: the name of the API key it came through (never the key). Absent on
   * messages from before names, on changes from a system (the origin names it) and on an open API's.
   */
  actor: actorName.optional(),
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
  actor?: string | undefined;
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
    ...(input.actor !== undefined && { actor: input.actor }),
    payload: input.payload,
  };
}

/**
 * Who made the change a message is about, for the audit trail: the API key's name when the change
 * came through the API with one; else the system it came from (its origin); else nobody known
 * (an operator's job, an open API, a message from before actors). Safe on any message, even one
 * being parked for being malformed: a value that is not a name is no actor.
 */
export function actorOf(message: { actor?: unknown; origin?: unknown } | null | undefined): string | null {
  const actor = actorName.safeParse(message?.actor);
  if (actor.success) return actor.data;
  const from = origin.safeParse(message?.origin);
  return from.success && from.data !== 'internal' && from.data !== 'operator' ? from.data : null;
}
