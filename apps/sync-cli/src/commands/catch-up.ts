import type { Command } from 'commander';
import { CatchUpPoller } from '@cs/sync-jobs';
import type { Context } from '../context';
import { CliError, EXIT, emit } from '../output';

function parseSince(value: string): number {
  if (/^\d{9,11}$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new CliError(`--since must be an ISO date or unix seconds (got "${value}")`, EXIT.usage);
  return Math.floor(ms / 1000);
}

export function catchUpCommand(program: Command, run: (fn: (ctx: Context) => Promise<number>) => Promise<void>) {
  program
    .command('catch-up')
    .description("feed a system's changes since the saved cursor (or --since) into the inbound path")
    .option('--system <name>', 'the system (default: the only one enabled)')
    .option('--since <when>', 'ISO date or unix seconds; default: the saved cursor')
    .action((opts: { since?: string; system?: string }) =>
      run(async (ctx) => {
        const since = opts.since === undefined ? undefined : parseSince(opts.since);
        const integration = ctx.integration(opts.system);
        if (!integration.feed) throw new CliError(`${integration.system} has no change feed to catch up from`, EXIT.usage);
        const poller = new CatchUpPoller({ orm: await ctx.orm(), integration, feed: await ctx.inboundFeed(), logger: ctx.logger, limiter: ctx.readLimiter(integration.system) });
        const result = await poller.runOnce(since);
        if (!result.ran) throw new CliError('another catch-up is running right now; try again shortly');
        emit(ctx.json, result, () => `caught up: ${result.changes} changes from ${integration.system} queued for the inbound worker`);
        return EXIT.ok;
      }),
    );
}
