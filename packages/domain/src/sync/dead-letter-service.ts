import type { MikroORM } from '@mikro-orm/postgresql';
import { DomainError } from '../errors';
import { sql } from '../sql';
import { recordSyncEvent } from './sync-events';

export interface DeadLetterRow {
  id: number;
  source_topic: string;
  message_key: string | null;
  external_system: string | null;
  reason: string;
  error_code: string | null;
  attempts: number;
  envelope: Record<string, unknown>;
  status: 'parked' | 'replayed' | 'discarded';
  trace_id: string | null;
  created_at: Date;
  resolved_at: Date | null;
  resolution_note: string | null;
}

export interface DeadLetterQuery {
  status?: DeadLetterRow['status'] | undefined;
  system?: string | undefined;
  limit: number;
  skip: number;
}

/** Sends a message back onto its topic: the normal path, so the worker handles it as any other. */
export type Republish = (topic: string, key: string, envelope: Record<string, unknown>) => Promise<void>;

/**
 * The parked message as it goes back: for the one system it failed for (every other system's
 * consumer of the topic handled it already), and under an idempotency key of its own, so that
 * the provider keys derived from it make fresh calls instead of replaying the failed answer.
 */
export function replayEnvelope(row: Pick<DeadLetterRow, 'id' | 'envelope' | 'external_system'>): Record<string, unknown> {
  const key = `${String(row.envelope.idempotency_key)}:replay:${row.id}`;
  return {
    ...row.envelope,
    idempotency_key: key.length <= 255 ? key : key.slice(key.length - 255),
    ...(row.external_system ? { target_system: row.external_system } : {}),
  };
}

/** What operators do with parked messages: list, look, replay through the normal path, or discard with a reason. */
export class DeadLetterService {
  constructor(private readonly orm: MikroORM) {}

  async list(q: DeadLetterQuery): Promise<DeadLetterRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.status) {
      where.push('status = ?');
      params.push(q.status);
    }
    if (q.system) {
      where.push('external_system = ?');
      params.push(q.system);
    }
    return sql<DeadLetterRow>(
      this.orm.em.fork(),
      `select * from dead_letters ${where.length ? `where ${where.join(' and ')}` : ''} order by id desc limit ? offset ?`,
      [...params, q.limit, q.skip],
    );
  }

  async count(status: DeadLetterRow['status'] = 'parked'): Promise<number> {
    const rows = await sql<{ n: string }>(this.orm.em.fork(), 'select count(*) as n from dead_letters where status = ?', [status]);
    return Number(rows[0]?.n ?? 0);
  }

  async get(id: number): Promise<DeadLetterRow> {
    const rows = await sql<DeadLetterRow>(this.orm.em.fork(), 'select * from dead_letters where id = ?', [id]);
    if (!rows[0]) throw new DomainError('dead_letter_not_found', `dead letter ${id} not found`, { id });
    return rows[0];
  }

  /**
   * Re-publishes the parked message to the topic it came from and marks it replayed. The row is
   * locked while this happens, so two operators cannot replay it twice.
   */
  async replay(id: number, republish: Republish, note = 'replayed', actor?: string): Promise<DeadLetterRow> {
    return this.orm.em.fork().transactional(async (em) => {
      const [row] = await sql<DeadLetterRow>(em, 'select * from dead_letters where id = ? for update', [id]);
      if (!row) throw new DomainError('dead_letter_not_found', `dead letter ${id} not found`, { id });
      if (row.status !== 'parked') throw new DomainError('dead_letter_resolved', `dead letter ${id} is already ${row.status}`, { status: row.status });
      if (!row.envelope || typeof row.envelope.type !== 'string' || 'raw' in row.envelope) {
        throw new DomainError('dead_letter_not_replayable', `dead letter ${id} is not a valid message; discard it instead`, { id });
      }
      await republish(row.source_topic, row.message_key ?? '', replayEnvelope(row));
      await this.resolve(em, row, 'replayed', note, actor);
      return { ...row, status: 'replayed' as const };
    });
  }

  async discard(id: number, reason: string, actor?: string): Promise<DeadLetterRow> {
    return this.orm.em.fork().transactional(async (em) => {
      const [row] = await sql<DeadLetterRow>(em, 'select * from dead_letters where id = ? for update', [id]);
      if (!row) throw new DomainError('dead_letter_not_found', `dead letter ${id} not found`, { id });
      if (row.status !== 'parked') throw new DomainError('dead_letter_resolved', `dead letter ${id} is already ${row.status}`, { status: row.status });
      await this.resolve(em, row, 'discarded', reason, actor);
      return { ...row, status: 'discarded' as const, resolution_note: reason };
    });
  }

  /** Marks the row and leaves an audit row, so who-did-what stays visible in sync_events (`actor`: the API key that did it). */
  private async resolve(em: Parameters<typeof sql>[0], row: DeadLetterRow, status: 'replayed' | 'discarded', note: string, actor: string | undefined) {
    await sql(em, 'update dead_letters set status = ?, resolved_at = now(), resolution_note = ? where id = ?', [status, note, row.id]);
    const payload = row.envelope.payload as { customer_id?: unknown } | undefined;
    await recordSyncEvent(em, {
      eventType: `dead_letter.${status}`,
      entityId: typeof payload?.customer_id === 'number' ? payload.customer_id : 0,
      system: row.external_system,
      status: status === 'replayed' ? 'pending' : 'skipped',
      direction: row.source_topic.endsWith('sync.inbound') ? 'inbound' : 'outbound',
      traceId: row.trace_id,
      actor: actor ?? null,
      payload: { dead_letter_id: row.id, note },
    });
  }
}
