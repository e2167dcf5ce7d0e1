import type { Server } from 'node:http';
import type { Logger } from './logger';

export interface ShutdownStep {
  name: string;
  run: () => Promise<unknown>;
}

/**
 * Runs the steps in order on SIGTERM/SIGINT (stop taking work, finish in-flight, commit, close
 * Kafka, close the database). A step that fails is logged and the next still runs. If the whole
 * sequence takes longer than `timeoutMs` the process exits anyway, non-zero.
 */
export function onShutdown(logger: Logger, steps: ShutdownStep[], timeoutMs = 10_000): () => Promise<void> {
  let running: Promise<void> | undefined;
  const shutdown = (signal = 'shutdown') => {
    running ??= (async () => {
      logger.info({ signal }, 'shutting down');
      const timer = setTimeout(() => {
        logger.error({ timeoutMs }, 'shutdown took too long: exiting');
        process.exit(1);
      }, timeoutMs);
      timer.unref();
      let failed = false;
      for (const step of steps) {
        try {
          await step.run();
          logger.debug({ step: step.name }, 'shutdown step done');
        } catch (err) {
          failed = true;
          logger.error({ err, step: step.name }, 'shutdown step failed');
        }
      }
      logger.info('stopped');
      logger.flush?.();
      process.exitCode = failed ? 1 : 0;
    })();
    return running;
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM').then(() => process.exit()));
  process.once('SIGINT', () => void shutdown('SIGINT').then(() => process.exit()));
  return () => shutdown();
}

/** Listens and resolves once bound; the returned close stops accepting and waits for in-flight requests. */
export async function listen(server: Server, port: number, host = '127.0.0.1'): Promise<() => Promise<void>> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
}
