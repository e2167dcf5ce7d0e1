import { SingleBar, Presets } from 'cli-progress';
import type { Progress } from '@cs/sync-jobs';

/** A terminal progress bar with counts and rate (stderr, so --json output on stdout stays clean). */
export function barProgress(): Progress {
  let bar: SingleBar | undefined;
  let done = 0;
  let started = 0;
  return {
    start(total, label) {
      done = 0;
      started = Date.now();
      bar = new SingleBar(
        { stream: process.stderr, format: `${label} [{bar}] {value}${total ? '/{total}' : ''} | {rate}/s | {duration_formatted}`, hideCursor: true },
        Presets.shades_classic,
      );
      bar.start(total ?? 0, 0, { rate: 0 });
    },
    tick(n) {
      done += n;
      const rate = Math.round(done / Math.max((Date.now() - started) / 1000, 0.001));
      if (bar && bar.getTotal() < done) bar.setTotal(done);
      bar?.update(done, { rate });
    },
    stop() {
      bar?.stop();
    },
  };
}
