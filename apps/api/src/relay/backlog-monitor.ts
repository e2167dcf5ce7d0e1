import { sql, type MikroORM } from '@cs/domain';
import { outboxBacklog, outboxOldestAge, refreshEvery, type Logger, type Refresher } from '@cs/platform';

/**
 * Keeps outbox_backlog and outbox_oldest_unpublished_age_seconds fresh with one query on the
 * partial index of unpublished rows. It runs beside the relay on the ORM's pool rather than on the
 * relay's own connection: when Kafka is down the relay drops that connection and retries, and
 * that is exactly when the backlog must still be reported.
 */
export function watchOutboxBacklog(orm: MikroORM, logger: Logger, everyMs = 5_000): Refresher {
  return refreshEvery(logger, 'outbox backlog', everyMs, async () => {
    const [row] = await sql<{ backlog: string; oldest_age: number | null }>(
      orm.em.fork(),
      `select count(*) as backlog,
              extract(epoch from now() - (select created_at from outbox where published_at is null order by id limit 1))::float8 as oldest_age
         from outbox where published_at is null`,
    );
    outboxBacklog().set(Number(row?.backlog ?? 0));
    outboxOldestAge().set(Math.max(0, row?.oldest_age ?? 0));
  });
}
