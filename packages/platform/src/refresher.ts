import type { Logger } from './logger';
import { metricsEnabled } from './metrics';

export interface Refresher {
  stop(): Promise<void>;
}

/**
 * Runs `task` now and then every `everyMs` after the previous run ended (never two at once), to
 * keep gauges that need a query or a broker call fresh. Off when metrics are off. The timer does
 * not keep the process alive. A failing task is logged once per failure streak, not every tick.
 */
export function refreshEvery(logger: Logger, name: string, everyMs: number, task: () => Promise<void>): Refresher {
  if (!metricsEnabled()) return { stop: async () => undefined };
  let stopped = false;
  let failing = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const tick = () => {
    running = task()
      .then(() => {
        if (failing) logger.info({ refresher: name }, 'metric refresh recovered');
        failing = false;
      })
      .catch((err: unknown) => {
        if (!failing) logger.warn({ err, refresher: name }, 'metric refresh failed; gauges keep their last value');
        failing = true;
      })
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(tick, everyMs).unref();
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
