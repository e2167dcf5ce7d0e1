#!/usr/bin/env node
import { parseCliArgs, USAGE, UsageError } from './cli-args';
import { startEmulator } from './emulator';

async function main(): Promise<void> {
  let config;
  try {
    config = parseCliArgs(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`stripe-emulator: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (config.help) {
    process.stdout.write(USAGE);
    return;
  }
  const emulator = await startEmulator(config.options);
  console.log(`stripe-emulator listening on ${emulator.url}`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    emulator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('stripe-emulator: error while closing', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error('stripe-emulator: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
