import type { Command } from 'commander';
import { reconcile, type ReconcileReport } from '@cs/sync-jobs';
import type { Context } from '../context';
import { EXIT, emit, table } from '../output';

export function summary(r: ReconcileReport): string {
  const kinds = Object.entries(r.by_kind).map(([k, n]) => `  ${k.padEnd(22)} ${n}`);
  return [
    `reconcile ${r.system}: ${r.internal_customers} internal, ${r.external_customers} in ${r.system}, ${r.drift_count} drift${r.repaired ? ' (repairs queued)' : ''}`,
    ...kinds,
    r.drifts.length ? `\n${table(r.drifts.slice(0, 50).map((d) => ({ kind: d.kind, customer: d.customer_id, external: d.external_id, ours: d.ours && `${d.ours.name} <${d.ours.email}>`, theirs: d.theirs && `${d.theirs.name} <${d.theirs.email}>` })), ['kind', 'customer', 'external', 'ours', 'theirs'])}` : '',
  ].join('\n');
}

export function reconcileCommand(program: Command, run: (fn: (ctx: Context) => Promise<number>) => Promise<void>) {
  program
    .command('reconcile')
    .description('compare every customer with a system; with --repair, queue the normal sync messages that fix the drift')
    .option('--system <name>', 'the system (default: the only one enabled)')
    .option('--repair', 'queue repairs (outbox rows and inbound events; the workers apply them)')
    .action((opts: { repair?: boolean; system?: string }) =>
      run(async (ctx) => {
        const integration = ctx.integration(opts.system);
        const report = await reconcile({
          orm: await ctx.orm(),
          integration,
          limiter: ctx.readLimiter(integration.system),
          progress: ctx.progress(),
          repair: opts.repair === true,
          ...(opts.repair ? { feed: await ctx.inboundFeed() } : {}),
        });
        emit(ctx.json, report, () => summary(report));
        return report.drift_count > 0 && !opts.repair ? EXIT.drift : EXIT.ok;
      }),
    );
}
