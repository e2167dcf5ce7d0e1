import { maintainSyncEventPartitions, pruneProcessedEvents, type MikroORM, type PartitionMaintenance, type RetentionSettings } from '@cs/domain';
import { whileHoldingLock } from './session-lock';

export interface RetentionReport {
  processedEventsRemoved: number;
  syncEvents: PartitionMaintenance;
  /** Rows gone from sync_events: the dropped months' rows but the ones kept, and the DEFAULT partition's. */
  syncEventsRemoved: number;
}

/**
 * One pass of the retention job over the bounded tables (docs/operations.md, "Data retention"):
 * the dedupe keys past their window deleted, sync_events' months ahead made and months past the
 * retention dropped. One instance at a time (a session lock, since each step commits on its own):
 * undefined when another one is running it.
 */
export async function runRetention(orm: MikroORM, settings: RetentionSettings, now?: Date): Promise<RetentionReport | undefined> {
  let report: RetentionReport | undefined;
  await whileHoldingLock(orm, 'retention', async () => {
    const em = orm.em.fork();
    // Partitions first: a month ahead missing matters more than a day's more dedupe keys.
    const syncEvents = await maintainSyncEventPartitions(em, { ahead: settings.partitionsAhead, retentionDays: settings.syncEventsDays, ...(now && { now }) });
    const processedEventsRemoved = await pruneProcessedEvents(em, settings.processedEventsDays, now && { now });
    const syncEventsRemoved = syncEvents.defaultRemoved + syncEvents.dropped.reduce((n, d) => n + d.rows - d.kept, 0);
    report = { processedEventsRemoved, syncEvents, syncEventsRemoved };
  });
  return report;
}
