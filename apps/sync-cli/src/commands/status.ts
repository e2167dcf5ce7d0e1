import type { Command } from 'commander';
import { sql, type EntityManager } from '@cs/domain';
import type { Context } from '../context';
import { CliError, EXIT, emit, table } from '../output';

const EVENT_COLUMNS = ['created_at', 'direction', 'external_system', 'actor', 'event_type', 'status', 'detail'];
const MAPPING_COLUMNS = ['external_system', 'external_object_type', 'external_id', 'last_synced_at', 'last_source_ts'];

/** A record's mappings, latest sync events and parked messages (outbound ones are keyed by our id). */
async function syncOf(em: EntityManager, entityType: 'customer' | 'invoice', id: number) {
  const mappings = await sql(em, `select ${MAPPING_COLUMNS.join(', ')} from external_mappings where entity_type = ? and internal_id = ?`, [entityType, id]);
  const events = await sql(
    em,
    `select created_at, direction, external_system, actor, event_type, status, coalesce(error_message, payload->>'reason', payload->>'action') as detail
       from sync_events where entity_type = ? and entity_id = ? order by id desc limit 20`,
    [entityType, id],
  );
  const parked = await sql(em, `select id, reason from dead_letters where status = 'parked' and coalesce(entity_type, 'customer') = ? and message_key = ?`, [entityType, String(id)]);
  return { mappings, events, dead_letters: parked };
}

function render(head: string, sync: Awaited<ReturnType<typeof syncOf>>, extra: string[] = []): string {
  return [
    head,
    ...extra,
    '',
    table(sync.mappings, MAPPING_COLUMNS),
    '',
    table(sync.events, EVENT_COLUMNS),
    sync.dead_letters.length ? `\nparked: ${sync.dead_letters.map((p) => `#${String(p.id)} ${String(p.reason)}`).join('; ')}` : '',
  ].join('\n');
}

async function customerStatus(ctx: Context, em: EntityManager, who: string): Promise<number> {
  const byId = /^\d{1,9}$/.test(who);
  const [customer] = await sql<Record<string, unknown> & { id: number }>(
    em,
    `select id, name, email, version, created_at, updated_at, deleted_at from customers where ${byId ? 'id = ?' : 'email = lower(?)'} order by id desc limit 1`,
    [byId ? Number(who) : who],
  );
  if (!customer) throw new CliError(`no customer ${who}`, EXIT.notFound);
  const sync = await syncOf(em, 'customer', customer.id);
  emit(ctx.json, { customer, ...sync }, () =>
    render(`customer ${customer.id}: ${String(customer.name)} <${String(customer.email)}> v${String(customer.version)}${customer.deleted_at ? ' (deleted)' : ''}`, sync),
  );
  return EXIT.ok;
}

async function invoiceStatus(ctx: Context, em: EntityManager, id: string): Promise<number> {
  // Our ids are Postgres integers: 1 to 2147483647.
  if (!/^\d{1,10}$/.test(id) || Number(id) < 1 || Number(id) > 2_147_483_647) throw new CliError(`an invoice is named by its id, a positive integer (got "${id}")`, EXIT.usage);
  const [invoice] = await sql<Record<string, unknown> & { id: number }>(
    em,
    `select id, customer_id, status, currency, collection_method, due_date::text as due_date, number, amount_due, amount_paid, amount_remaining,
            hosted_invoice_url, invoice_pdf, paid_at, version, created_at, updated_at, deleted_at
       from invoices where id = ?`,
    [Number(id)],
  );
  if (!invoice) throw new CliError(`no invoice ${id}`, EXIT.notFound);
  const lines = await sql(em, 'select position, description, quantity, unit_amount, quantity * unit_amount as amount from invoice_lines where invoice_id = ? order by position', [invoice.id]);
  const sync = await syncOf(em, 'invoice', invoice.id);
  const money = (v: unknown) => `${String(v)} ${String(invoice.currency)}`;
  emit(ctx.json, { invoice, lines, ...sync }, () =>
    render(
      `invoice ${invoice.id}${invoice.number ? ` (${String(invoice.number)})` : ''} of customer ${String(invoice.customer_id)}: ${String(invoice.status)}${invoice.deleted_at ? ' (deleted)' : ''} v${String(invoice.version)}`,
      sync,
      [
        `due ${money(invoice.amount_due)}, paid ${money(invoice.amount_paid)}, remaining ${money(invoice.amount_remaining)}${invoice.paid_at ? ` (paid ${new Date(String(invoice.paid_at)).toISOString()})` : ''}`,
        ...(invoice.hosted_invoice_url ? [`hosted page: ${String(invoice.hosted_invoice_url)}`] : []),
        '',
        table(lines, ['position', 'description', 'quantity', 'unit_amount', 'amount']),
      ],
    ),
  );
  return EXIT.ok;
}

export function statusCommand(program: Command, run: (fn: (ctx: Context) => Promise<number>) => Promise<void>) {
  program
    .command('status <record> [id]')
    .description('a customer (id or email), or `invoice <id>`: its record, mappings, and latest sync events')
    .action((record: string, id: string | undefined) =>
      run(async (ctx) => {
        const em = (await ctx.orm()).em.fork();
        if (id === undefined) return customerStatus(ctx, em, record);
        if (record === 'invoice') return invoiceStatus(ctx, em, id);
        if (record === 'customer') return customerStatus(ctx, em, id);
        throw new CliError(`status takes a customer (id or email), \`customer <id>\` or \`invoice <id>\` (got "${record} ${id}")`, EXIT.usage);
      }),
    );
}
