import type { Logger } from '@cs/platform';

export interface Progress {
  start(total: number | null, label: string): void;
  tick(n: number): void;
  stop(): void;
}

/** Periodic log lines with counts and rate, for when there is no terminal (CI, containers, logs). */
export function logProgress(logger: Logger, everyMs = 5000): Progress {
  let done = 0;
  let total: number | null = null;
  let label = '';
  let started = 0;
  let timer: NodeJS.Timeout | undefined;
  const line = () => {
    const secs = (Date.now() - started) / 1000;
    logger.info({ label, done, total, ratePerSec: Math.round(done / Math.max(secs, 0.001)) }, `${label}: ${done}${total ? `/${total}` : ''}`);
  };
  return {
    start(t, l) {
      total = t;
      label = l;
      done = 0;
      started = Date.now();
      timer = setInterval(line, everyMs);
      timer.unref();
    },
    tick(n) {
      done += n;
    },
    stop() {
      clearInterval(timer);
      line();
    },
  };
}

export const silentProgress: Progress = { start() {}, tick() {}, stop() {} };
