import type { Command } from 'commander';
import { reconcile, reconcileInvoices, type InvoiceReconcileReport, type ReconcileReport } from '@cs/sync-jobs';
import type { Context } from '../context';
import { catalogOption, CliError, EXIT, emit, table } from '../output';

export function summary(r: ReconcileReport | InvoiceReconcileReport): string {
  const kinds = Object.entries(r.by_kind).map(([k, n]) => `  ${k.padEnd(22)} ${n}`);
  const [internal, external] = r.catalog === 'invoice' ? [r.internal_invoices, r.external_invoices] : [r.internal_customers, r.external_customers];
  const rows =
    r.catalog === 'invoice'
      ? table(
          r.drifts.slice(0, 50).map((d) => ({ kind: d.kind, invoice: d.invoice_id, external: d.external_id, ours: d.ours && `${d.ours.status} ${d.ours.amount_due} ${d.ours.currency}`, theirs: d.theirs && `${d.theirs.status} ${d.theirs.amount_due} ${d.theirs.currency}` })),
          ['kind', 'invoice', 'external', 'ours', 'theirs'],
        )
      : table(
          r.drifts.slice(0, 50).map((d) => ({ kind: d.kind, customer: d.customer_id, external: d.external_id, ours: d.ours && `${d.ours.name} <${d.ours.email}>`, theirs: d.theirs && `${d.theirs.name} <${d.theirs.email}>` })),
          ['kind', 'customer', 'external', 'ours', 'theirs'],
        );
  return [
    `reconcile ${r.system} ${r.catalog}s: ${internal} internal, ${external} in ${r.system}, ${r.drift_count} drift${r.repaired ? ' (repairs queued)' : ''}`,
    ...kinds,
    r.drifts.length ? `\n${rows}` : '',
  ].join('\n');
}

export function reconcileCommand(program: Command, run: (fn: (ctx: Context) => Promise<number>) => Promise<void>) {
  program
    .command('reconcile')
    .description('compare every record of a catalog with a system; with --repair, queue the normal sync messages that fix the drift')
    .option('--system <name>', 'the system (default: the only one enabled)')
    .option('--catalog <name>', 'customer | invoice', 'customer')
    .option('--repair', 'queue repairs (outbox rows and inbound events; the workers apply them)')
    .action((opts: { repair?: boolean; system?: string; catalog?: string }) =>
      run(async (ctx) => {
        const catalog = catalogOption(opts.catalog);
        const integration = ctx.integration(opts.system);
        if (!integration.catalogs[catalog]) throw new CliError(`${integration.system} does not sync ${catalog}s`, EXIT.usage);
        const jobOpts = {
          orm: await ctx.orm(),
          integration,
          limiter: ctx.readLimiter(integration.system),
          progress: ctx.progress(),
          repair: opts.repair === true,
          ...(opts.repair ? { feed: await ctx.inboundFeed() } : {}),
        };
        const report = catalog === 'invoice' ? await reconcileInvoices(jobOpts) : await reconcile(jobOpts);
        emit(ctx.json, report, () => summary(report));
        return report.drift_count > 0 && !opts.repair ? EXIT.drift : EXIT.ok;
      }),
    );
}
