#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { DomainError } from '@cs/domain';
import { backfillCommand } from './commands/backfill';
import { catchUpCommand } from './commands/catch-up';
import { dlqCommand } from './commands/dlq';
import { pruneCommand } from './commands/prune';
import { reconcileCommand } from './commands/reconcile';
import { statusCommand } from './commands/status';
import { Context } from './context';
import { CliError, EXIT } from './output';

const program = new Command('pnpm sync')
  .description('Operate customer-sync: backfill, reconcile, catch up, dead letters, status, retention.')
  .option('--json', 'machine-readable output on stdout')
  .exitOverride()
  .showHelpAfterError();

/** Runs one command with a context, maps failures to exit codes, and always closes connections. */
async function run(fn: (ctx: Context) => Promise<number>): Promise<void> {
  const ctx = new Context(program.opts<{ json?: boolean }>().json === true);
  let code: number = EXIT.failed;
  try {
    code = await fn(ctx);
  } catch (err) {
    const notFound = err instanceof DomainError && err.code.endsWith('not_found');
    code = err instanceof CliError ? err.exitCode : notFound ? EXIT.notFound : EXIT.failed;
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  } finally {
    await ctx.close().catch(() => undefined);
  }
  process.exitCode = code;
}

for (const add of [backfillCommand, reconcileCommand, catchUpCommand, dlqCommand, statusCommand, pruneCommand]) add(program, run);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(EXIT.failed);
});
