#!/usr/bin/env node
import { parseCliArgs, USAGE, UsageError } from './cli-args';
import { startEmulator } from './emulator';

async function main(): Promise<void> {
  let config;
  try {
    config = parseCliArgs(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`salesforce-emulator: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (config.help) {
    process.stdout.write(USAGE);
    return;
  }
  const emulator = await startEmulator(config.options);
  console.log(`salesforce-emulator listening on ${emulator.url} (REST + OAuth) and ${emulator.grpcAddress} (Pub/Sub API, plain-text gRPC)`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    emulator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('salesforce-emulator: error while closing', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error('salesforce-emulator: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
