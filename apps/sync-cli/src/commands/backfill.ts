import type { Command } from 'commander';
import { exportCustomers, importCustomers } from '@cs/sync-jobs';
import type { Context } from '../context';
import { CliError, EXIT, emit } from '../output';

export function backfillCommand(program: Command, run: (fn: (ctx: Context) => Promise<number>) => Promise<void>) {
  program
    .command('backfill')
    .description('import every customer of a system and/or export every unlinked internal customer to it (resumable)')
    .option('--system <name>', 'the system (default: the only one enabled)')
    .option('--direction <direction>', 'import | export | both', 'both')
    .option('--restart', 'start the import over instead of resuming from the saved position')
    .action((opts: { direction: string; restart?: boolean; system?: string }) =>
      run(async (ctx) => {
        if (!['import', 'export', 'both'].includes(opts.direction)) throw new CliError(`--direction must be import, export or both (got "${opts.direction}")`, EXIT.usage);
        const orm = await ctx.orm();
        const integration = ctx.integration(opts.system);
        const result: Record<string, unknown> = {};
        if (opts.direction !== 'export') {
          result.import = await importCustomers({
            orm,
            integration,
            limiter: ctx.readLimiter(integration.system),
            progress: ctx.progress(),
            restart: opts.restart === true,
            // Kafka only when a conflict needs it: the inbound worker parks it for review.
            review: async (events) => (await ctx.inboundFeed())(events),
          });
        }
        if (opts.direction !== 'import') result.export = await exportCustomers({ orm, integration, progress: ctx.progress() });
        emit(ctx.json, result, () => {
          const lines: string[] = [];
          const i = result.import as Awaited<ReturnType<typeof importCustomers>> | undefined;
          if (i) lines.push(`import: ${i.seen} seen, ${i.created} created, ${i.linked} linked, ${i.unchanged} unchanged, ${i.conflicts} conflicts${i.resumedFrom ? ` (resumed after ${i.resumedFrom})` : ''}`);
          const e = result.export as { queued: number } | undefined;
          if (e) lines.push(`export: ${e.queued} customers queued for ${integration.system} (the outbound worker sends them)`);
          return lines.join('\n');
        });
        return EXIT.ok;
      }),
    );
}
