import type { EntityManager } from '@mikro-orm/postgresql';
import { sql } from '../sql';

export interface ParkInput {
  sourceTopic: string;
  messageKey: string;
  system: string | null;
  reason: string;
  errorCode: string | null;
  attempts: number;
  envelope: unknown;
  traceId: string | null;
}

/** Stores a message we gave up on; the table is what operators list and replay from. */
export async function parkDeadLetter(em: EntityManager, p: ParkInput): Promise<number> {
  const rows = await sql<{ id: number }>(
    em,
    `insert into dead_letters (source_topic, message_key, external_system, reason, error_code, attempts, envelope, trace_id)
     values (?, ?, ?, ?, ?, ?, ?::jsonb, ?) returning id`,
    [p.sourceTopic, p.messageKey.slice(0, 255), p.system, p.reason, p.errorCode?.slice(0, 100) ?? null, p.attempts, JSON.stringify(p.envelope ?? null), p.traceId],
  );
  return rows[0]!.id;
}
