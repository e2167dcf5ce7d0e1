import type { Command } from 'commander';
import { publish } from '@cs/kafka-schemas';
import type { Context } from '../context';
import { CliError, EXIT, emit, table } from '../output';

const STATUSES = ['parked', 'replayed', 'discarded'] as const;

function id(value: string): number {
  if (!/^\d{1,9}$/.test(value)) throw new CliError(`dead letter id must be a number (got "${value}")`, EXIT.usage);
  return Number(value);
}

export function dlqCommand(program: Command, run: (fn: (ctx: Context) => Promise<number>) => Promise<void>) {
  const dlq = program.command('dlq').description('dead letters: list, show, replay, discard');
  dlq
    .command('list')
    .option('--status <status>', 'parked | replayed | discarded', 'parked')
    .option('--limit <n>', 'rows', '50')
    .action((opts: { status: string; limit: string }) =>
      run(async (ctx) => {
        if (!STATUSES.includes(opts.status as never)) throw new CliError(`--status must be one of ${STATUSES.join(', ')}`, EXIT.usage);
        const rows = await (await ctx.deadLetters()).list({ status: opts.status as (typeof STATUSES)[number], limit: Math.min(Number(opts.limit) || 50, 1000), skip: 0 });
        emit(ctx.json, rows, () => table(rows.map((r) => ({ ...r, envelope: undefined })), ['id', 'created_at', 'external_system', 'source_topic', 'message_key', 'error_code', 'attempts', 'reason']));
        return EXIT.ok;
      }),
    );
  dlq.command('show <id>').action((raw: string) =>
    run(async (ctx) => {
      const row = await (await ctx.deadLetters()).get(id(raw));
      emit(ctx.json, row, () => JSON.stringify(row, null, 2));
      return EXIT.ok;
    }),
  );
  dlq.command('replay <id>').description('send the message back through its normal path').action((raw: string) =>
    run(async (ctx) => {
      const producer = await ctx.producer();
      const row = await (await ctx.deadLetters()).replay(id(raw), (topic, key, envelope) => publish(producer, topic, [{ key, envelope: envelope as never }]), 'replayed from the CLI');
      emit(ctx.json, row, () => `dead letter ${row.id} replayed onto ${row.source_topic}`);
      return EXIT.ok;
    }),
  );
  dlq
    .command('discard <id>')
    .requiredOption('--reason <text>', 'why it is discarded (kept in the audit trail)')
    .action((raw: string, opts: { reason: string }) =>
      run(async (ctx) => {
        if (opts.reason.trim().length < 3) throw new CliError('--reason must say why', EXIT.usage);
        const row = await (await ctx.deadLetters()).discard(id(raw), opts.reason.trim());
        emit(ctx.json, row, () => `dead letter ${row.id} discarded: ${opts.reason.trim()}`);
        return EXIT.ok;
      }),
    );
}
