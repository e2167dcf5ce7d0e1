import type { MikroORM, RetentionSettings } from '@cs/domain';
import { retentionLastRun, retentionRemoved, type Logger } from '@cs/platform';
import { runRetention } from '@cs/sync-jobs';
import { repeat } from './repeat';

/**
 * The retention job on a timer: now (a month ahead may be missing after downtime), then every
 * `intervalMs` after the previous pass ended. Every instance ticks; the one that gets the job's
 * lock does the pass, logs what it removed and counts it.
 */
export function startRetention(deps: { orm: MikroORM; logger: Logger }, settings: RetentionSettings, intervalMs: number) {
  const log = deps.logger.child({ module: 'retention' });

  const pass = async () => {
    const report = await runRetention(deps.orm, settings);
    if (!report) return log.debug('another instance runs the retention job');
    retentionRemoved().inc({ table: 'processed_events' }, report.processedEventsRemoved);
    retentionRemoved().inc({ table: 'sync_events' }, report.syncEventsRemoved);
    retentionLastRun().set(Date.now() / 1000);
    const { created, dropped, defaultRemoved } = report.syncEvents;
    log.info(
      { processedEventsRemoved: report.processedEventsRemoved, syncEventsRemoved: report.syncEventsRemoved, partitionsCreated: created, partitionsDropped: dropped, defaultRemoved },
      'retention pass finished',
    );
  };
  return repeat(intervalMs, pass, (err) => log.warn({ err }, 'retention pass failed; the next one retries'));
}
