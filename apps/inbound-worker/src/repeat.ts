/**
 * A job on a timer: now, then every `intervalMs` after the previous pass ended (never two passes
 * at once), until stopped; stop waits for a pass in progress. A failed pass is reported and the
 * next one retries. `intervalMs` 0: never runs.
 */
export function repeat(intervalMs: number, pass: () => Promise<void>, onError: (err: unknown) => void): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = () => {
    running = pass()
      .catch(onError)
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  if (intervalMs > 0) tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
