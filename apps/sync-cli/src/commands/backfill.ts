import type { Command } from 'commander';
import { exportCustomers, exportInvoices, importCustomers, importInvoices, type ImportOptions } from '@cs/sync-jobs';
import type { Context } from '../context';
import { catalogOption, CliError, EXIT, emit } from '../output';

type ImportResult = Awaited<ReturnType<typeof importCustomers>> | Awaited<ReturnType<typeof importInvoices>>;

export function backfillCommand(program: Command, run: (fn: (ctx: Context) => Promise<number>) => Promise<void>) {
  program
    .command('backfill')
    .description('import every record of a catalog from a system and/or export every unlinked internal one to it (resumable)')
    .option('--system <name>', 'the system (default: the only one enabled)')
    .option('--catalog <name>', 'customer | invoice (invoices after their customers)', 'customer')
    .option('--direction <direction>', 'import | export | both', 'both')
    .option('--restart', 'start the import over instead of resuming from the saved position')
    .action((opts: { direction: string; restart?: boolean; system?: string; catalog?: string }) =>
      run(async (ctx) => {
        const catalog = catalogOption(opts.catalog);
        if (!['import', 'export', 'both'].includes(opts.direction)) throw new CliError(`--direction must be import, export or both (got "${opts.direction}")`, EXIT.usage);
        const orm = await ctx.orm();
        const integration = ctx.integration(opts.system);
        if (!integration.catalogs[catalog]) throw new CliError(`${integration.system} does not sync ${catalog}s`, EXIT.usage);
        const result: Record<string, unknown> = {};
        if (opts.direction !== 'export') {
          const importOpts: ImportOptions = {
            orm,
            integration,
            limiter: ctx.readLimiter(integration.system),
            progress: ctx.progress(),
            restart: opts.restart === true,
            // Kafka only when a conflict needs it: the inbound worker parks it for review.
            review: async (events) => (await ctx.inboundFeed())(events),
          };
          result.import = catalog === 'invoice' ? await importInvoices(importOpts) : await importCustomers(importOpts);
        }
        if (opts.direction !== 'import') {
          const exportOpts = { orm, integration, progress: ctx.progress() };
          result.export = catalog === 'invoice' ? await exportInvoices(exportOpts) : await exportCustomers(exportOpts);
        }
        emit(ctx.json, result, () => {
          const lines: string[] = [];
          const i = result.import as ImportResult | undefined;
          if (i) {
            const counts = Object.entries(i).filter(([k]) => k !== 'seen' && k !== 'resumedFrom').map(([k, n]) => `${String(n)} ${k}`);
            lines.push(`import ${catalog}s: ${i.seen} seen, ${counts.join(', ')}${i.resumedFrom ? ` (resumed after ${i.resumedFrom})` : ''}`);
          }
          const e = result.export as { queued: number } | undefined;
          if (e) lines.push(`export: ${e.queued} ${catalog}s queued for ${integration.system} (the outbound worker sends them)`);
          return lines.join('\n');
        });
        return EXIT.ok;
      }),
    );
}
