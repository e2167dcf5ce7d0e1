import type { MikroORM } from '@cs/domain';
import type { Integration } from '@cs/integrations';
import type { Logger, TokenBucket } from '@cs/platform';
import { CatchUpPoller, logProgress, reconcile, reconcileInvoices, StreamFollower, type InboundFeed } from '@cs/sync-jobs';

export interface ScheduleDeps {
  orm: MikroORM;
  integration: Integration;
  feed: InboundFeed;
  limiter: TokenBucket;
  logger: Logger;
}

/**
 * The self-healing jobs the inbound worker runs on a timer, per system: the change-feed catch-up
 * (every minute by default; Stripe's feed is its events API), the change stream of a system that
 * has one (Salesforce CDC), and a reconciliation (daily by default) of each catalog the system
 * syncs — customers, then invoices. Each takes a database lock, so with several instances exactly
 * one runs each job.
 */
export function startSchedules(deps: ScheduleDeps, opts: { catchUpMs: number; reconcileMs: number; repair: boolean }) {
  const runReconcile = async () => {
    const jobOpts = { ...deps, progress: logProgress(deps.logger), repair: opts.repair };
    const reports = [await reconcile(jobOpts), ...(deps.integration.catalogs.invoice ? [await reconcileInvoices(jobOpts)] : [])];
    for (const report of reports) deps.logger.info({ catalog: report.catalog, drift: report.drift_count, byKind: report.by_kind, repaired: report.repaired }, 'reconciliation finished');
  };
  const poller = new CatchUpPoller({ ...deps, onGap: runReconcile });
  if (opts.catchUpMs > 0) poller.start(opts.catchUpMs);
  // A system with a push-based stream (Salesforce CDC) is followed for as long as the worker runs.
  const follower = new StreamFollower({ ...deps, onGap: runReconcile });
  follower.start();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  if (opts.reconcileMs > 0) {
    timer = setInterval(() => {
      running ??= runReconcile()
        .catch((err: unknown) => deps.logger.warn({ err }, 'reconciliation failed'))
        .finally(() => (running = undefined));
    }, opts.reconcileMs);
  }
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all([poller.stop(), follower.stop(), running]);
    },
  };
}
