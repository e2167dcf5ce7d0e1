import { openOrm, type MikroORM } from '@cs/domain';
import { StripeIntegration } from '@cs/integrations';
import { TokenBucket } from '@cs/platform';
import { startEmulator, type RunningEmulator } from '@cs/stripe-emulator';
import { query, resetDatabase } from '../../../test/support/db';
import type { Progress } from './progress';
import { reconcile } from './reconcile';

let orm: MikroORM;
let emu: RunningEmulator;
let stripe: StripeIntegration;

beforeAll(async () => {
  orm = await openOrm({ databaseUrl: process.env.DATABASE_URL!, poolMax: 3 });
  emu = await startEmulator({ port: 0 });
  stripe = new StripeIntegration({ secretKey: 'sk_test_reconcile', apiBase: emu.url });
});
afterAll(async () => {
  await orm.close();
  await emu.close();
});
beforeEach(async () => {
  await resetDatabase();
  await fetch(`${emu.url}/_emulator/reset`, { method: 'POST', body: '{}' });
});

const silent: Progress = { start() {}, tick() {}, stop() {} };
const run = (repair = false) => reconcile({ orm, integration: stripe, limiter: new TokenBucket(0), progress: silent, repair });
const address = { line1: '1 Main St', line2: null, city: 'Leeds', state: null, postal_code: null, country: 'GB' };

/** Ours and theirs, linked; `theirs` overrides what the Stripe record holds. */
async function linked(email: string, ours: { phone?: string | null; address?: typeof address | null }, theirs: { phone?: string; address?: Record<string, string> }) {
  const stripeId = ((await (await fetch(`${emu.url}/_emulator/dashboard/customers?silent=true`, { method: 'POST', body: JSON.stringify({ name: 'Same', email, ...theirs }) })).json()) as { id: string }).id;
  const [row] = await query<{ id: number }>('insert into customers (name, email, phone, address) values ($1, $2, $3, $4) returning id', ['Same', email, ours.phone ?? null, ours.address ? JSON.stringify(ours.address) : null]);
  await query(`insert into external_mappings (internal_id, external_system, external_id, last_synced_hash) values ($1, 'stripe', $2, 'x')`, [row!.id, stripeId]);
  return row!.id;
}

describe('reconcile: phone and address', () => {
  it('reports a linked record whose phone or address differs as field_mismatch, with both sides, and leaves equal ones alone', async () => {
    await linked('equal@x.io', { phone: '555 0100', address }, { phone: '555 0100', address: { line1: '1 Main St', city: 'Leeds', country: 'GB' } });
    const phone = await linked('phone@x.io', { phone: '555 0100' }, { phone: '555 0199' });
    const moved = await linked('address@x.io', { address }, { address: { line1: '1 Main St', city: 'York', country: 'GB' } });
    const none = await linked('none@x.io', {}, { phone: '555 0111' });

    const report = await run();
    expect(report.by_kind.field_mismatch).toBe(3);
    const drifts = report.drifts.filter((d) => d.kind === 'field_mismatch').sort((a, b) => a.customer_id! - b.customer_id!);
    expect(drifts.map((d) => d.customer_id)).toEqual([phone, moved, none]);
    expect(drifts[0]).toMatchObject({ ours: { phone: '555 0100', address: null }, theirs: { phone: '555 0199', address: null } });
    expect(drifts[1]).toMatchObject({ ours: { address }, theirs: { address: { ...address, city: 'York' } } });
  });

  it('repairs by pushing ours: an outbox row per mismatch, the mapping no longer claiming Stripe holds ours', async () => {
    const phone = await linked('phone@x.io', { phone: '555 0100' }, { phone: '555 0199' });
    await run(true);
    expect(await query(`select aggregate_id, origin, envelope->'payload'->'snapshot'->>'phone' as phone from outbox`)).toEqual([{ aggregate_id: phone, origin: 'internal', phone: '555 0100' }]);
    expect(await query('select last_synced_hash, last_synced_state from external_mappings')).toEqual([{ last_synced_hash: null, last_synced_state: null }]);
  });
});
