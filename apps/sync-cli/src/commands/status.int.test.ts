import { Command } from 'commander';
import { query, resetDatabase } from '../../../../test/support/db';
import { Context } from '../context';
import { statusCommand } from './status';

/** `pnpm sync [--json] status <who>`, in this process, on this jest worker's database: what it prints. */
async function status(who: string, json: boolean): Promise<string> {
  const program = new Command('pnpm sync').exitOverride();
  let out = '';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    statusCommand(program, async (fn) => {
      const ctx = new Context(json);
      try {
        expect(await fn(ctx)).toBe(0);
      } finally {
        await ctx.close();
      }
    });
    await program.parseAsync(['status', who], { from: 'user' });
  } finally {
    write.mockRestore();
  }
  return out;
}

beforeEach(() => resetDatabase());

describe('pnpm sync status', () => {
  it('shows who made each change beside its sync events: a key name, a system, or nobody known', async () => {
    const [c] = await query<{ id: number }>(`insert into customers (name, email) values ('Ada', 'ada@x.io') returning id`);
    const event = (status: string, direction: string, actor: string | null) =>
      query(
        `insert into sync_events (event_id, event_type, entity_type, entity_id, external_system, status, direction, actor)
         values (gen_random_uuid(), 'customer.updated', 'customer', $1, 'stripe', $2, $3, $4)`,
        [c!.id, status, direction, actor],
      );
    await event('success', 'outbound', 'billing-ui');
    await event('success', 'inbound', 'stripe');
    await event('skipped', 'outbound', null);

    const doc = JSON.parse(await status(String(c!.id), true)) as { events: Array<{ direction: string; actor: string | null }> };
    expect(doc.events.map((e) => [e.direction, e.actor])).toEqual([
      ['outbound', null],
      ['inbound', 'stripe'],
      ['outbound', 'billing-ui'],
    ]);

    const text = await status('ada@x.io', false);
    const [header, , ...rows] = text.split('\n\n')[2]!.split('\n');
    expect(header).toMatch(/^created_at\s+direction\s+external_system\s+actor\s+event_type\s+status\s+detail\s*$/);
    const [from, to] = [header!.indexOf('actor'), header!.indexOf('event_type')];
    expect(rows.map((r) => r.slice(from, to).trim())).toEqual(['', 'stripe', 'billing-ui']);
  });
});
