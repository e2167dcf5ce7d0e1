import type { Command } from 'commander';
import { sql } from '@cs/domain';
import type { Context } from '../context';
import { CliError, EXIT, emit, table } from '../output';

export function statusCommand(program: Command, run: (fn: (ctx: Context) => Promise<number>) => Promise<void>) {
  program
    .command('status <customer>')
    .description('a customer (id or email): its record, mappings, and latest sync events (with who made each change)')
    .action((who: string) =>
      run(async (ctx) => {
        const em = (await ctx.orm()).em.fork();
        const byId = /^\d{1,9}$/.test(who);
        const [customer] = await sql<Record<string, unknown> & { id: number }>(
          em,
          `select id, name, email, version, created_at, updated_at, deleted_at from customers where ${byId ? 'id = ?' : 'email = lower(?)'} order by id desc limit 1`,
          [byId ? Number(who) : who],
        );
        if (!customer) throw new CliError(`no customer ${who}`, EXIT.notFound);
        const mappings = await sql(em, `select external_system, external_object_type, external_id, last_synced_at, last_source_ts from external_mappings where entity_type = 'customer' and internal_id = ?`, [customer.id]);
        const events = await sql(
          em,
          `select created_at, direction, external_system, actor, event_type, status, coalesce(error_message, payload->>'reason', payload->>'action') as detail
             from sync_events where entity_type = 'customer' and entity_id = ? order by id desc limit 20`,
          [customer.id],
        );
        const parked = await sql(em, `select id, reason from dead_letters where status = 'parked' and message_key = ?`, [String(customer.id)]);
        emit(ctx.json, { customer, mappings, events, dead_letters: parked }, () =>
          [
            `customer ${customer.id}: ${String(customer.name)} <${String(customer.email)}> v${String(customer.version)}${customer.deleted_at ? ' (deleted)' : ''}`,
            '',
            table(mappings, ['external_system', 'external_object_type', 'external_id', 'last_synced_at', 'last_source_ts']),
            '',
            table(events, ['created_at', 'direction', 'external_system', 'actor', 'event_type', 'status', 'detail']),
            parked.length ? `\nparked: ${parked.map((p) => `#${String(p.id)} ${String(p.reason)}`).join('; ')}` : '',
          ].join('\n'),
        );
        return EXIT.ok;
      }),
    );
}
