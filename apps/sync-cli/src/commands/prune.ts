import type { Command } from 'commander';
import { retentionSettings } from '@cs/domain';
import { parseEnv } from '@cs/platform';
import { runRetention } from '@cs/sync-jobs';
import type { Context } from '../context';
import { pruneEnv } from '../env';
import { CliError, emit } from '../output';

const n = (v: number) => v.toLocaleString('en-US');

export function pruneCommand(program: Command, run: (fn: (ctx: Context) => Promise<number>) => Promise<void>) {
  program
    .command('prune')
    .description("run the inbound worker's retention job now: dedupe keys past their window, sync_events months made ahead and dropped past the retention")
    .action(() =>
      run(async (ctx) => {
        const settings = retentionSettings(ctx.configured(() => parseEnv(pruneEnv)));
        const report = await runRetention(await ctx.orm(), settings);
        if (!report) throw new CliError('the retention job is running elsewhere right now; try again shortly');
        const { created, dropped, defaultRemoved } = report.syncEvents;
        emit(ctx.json, { settings, ...report }, () =>
          [
            `processed_events: ${n(report.processedEventsRemoved)} removed (older than ${settings.processedEventsDays} days)`,
            `sync_events: ${n(report.syncEventsRemoved)} removed (months older than ${settings.syncEventsDays} days)`,
            `  partitions made: ${created.join(', ') || 'none'}`,
            `  partitions dropped: ${dropped.map((d) => `${d.partition} (${n(d.rows)} rows, ${n(d.kept)} still needed kept)`).join(', ') || 'none'}`,
            `  removed from the default partition: ${n(defaultRemoved)}`,
          ].join('\n'),
        );
        return 0;
      }),
    );
}
