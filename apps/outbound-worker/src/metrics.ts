import { startWorkerGauges, type WorkerGaugeDeps } from '@cs/domain';
import type { Refresher } from '@cs/platform';

/** Dead letters, consumer lag and the pool: the outbound worker has no gauge of its own. */
export function startWorkerMetrics(deps: WorkerGaugeDeps): Refresher {
  return startWorkerGauges(deps);
}
