/**
 * Following Salesforce CDC (the emulator's Pub/Sub API) into the inbound path: the replay id is
 * persisted after each batch and resumed from, a gap naming records reads them again, and a stored
 * replay id past the retention heals through `onGap` (a reconciliation) before the stream goes on.
 */
import { openOrm, type MikroORM } from '@cs/domain';
import type { ExternalChangeInput } from '@cs/kafka-schemas';
import { createLogger } from '@cs/platform';
import { startTestOrg, type TestOrg } from '../../integrations/src/salesforce/test/emulator';
import { resetDatabase } from '../../../test/support/db';
import { readCursor } from './cursors';
import { StreamFollower } from './stream-follower';

let orm: MikroORM;
let org: TestOrg;
beforeAll(async () => {
  orm = await openOrm({ databaseUrl: process.env.DATABASE_URL!, poolMax: 4 });
  org = await startTestOrg({ keepaliveMs: 200, retentionMs: 3_000 });
});
afterAll(async () => {
  await orm.close();
  await org.close();
});
beforeEach(() => resetDatabase());

const logger = createLogger({ name: 'stream-test', level: 'silent' });
const waitFor = async <T>(what: string, probe: () => T | undefined, ms = 10_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

function follower(received: ExternalChangeInput[], gaps: { n: number }) {
  return new StreamFollower({
    orm,
    integration: org.sf,
    logger,
    retryMs: 100,
    feed: async (changes) => void received.push(...changes),
    onGap: async () => void gaps.n++,
  });
}
const ui = async (method: string, path: string, body?: unknown) => (await org.admin<{ Id: string }>(method, path, body)).body;
const names = (list: ExternalChangeInput[]) => list.map((c) => (c.state as { name?: string } | null)?.name ?? c.kind);

describe('StreamFollower over Salesforce CDC', () => {
  it('feeds each change once and resumes after a stop from the persisted replay id', async () => {
    const received: ExternalChangeInput[] = [];
    const gaps = { n: 0 };
    const first = follower(received, gaps);
    first.start();
    // Subscribed from LATEST: let the subscription start before making changes.
    await new Promise((r) => setTimeout(r, 500));
    const account = await ui('POST', '/ui/accounts', { Name: 'One', Billing_Email__c: 'one@x.io' });
    await waitFor('the create', () => (received.length >= 1 ? true : undefined));
    expect(received[0]).toMatchObject({ system: 'salesforce', kind: 'created', externalId: account.Id, via: 'stream', eventType: 'AccountChangeEvent.CREATE' });
    await first.stop();
    const stored = await readCursor<string>(orm.em.fork(), 'stream:salesforce');
    expect(typeof stored).toBe('string');

    // Changed while nobody follows: only the stored replay id brings these.
    await ui('PATCH', `/ui/accounts/${account.Id}`, { Name: 'Two' });
    await ui('PATCH', `/ui/accounts/${account.Id}`, { Phone: '+1 555 0101' });
    const second = follower(received, gaps);
    second.start();
    await waitFor('both updates', () => (received.length >= 3 ? true : undefined));
    await new Promise((r) => setTimeout(r, 500)); // nothing more comes
    await second.stop();
    expect(received.map((c) => [c.kind, c.changedFields, c.partial])).toEqual([
      ['created', undefined, undefined],
      ['updated', ['name'], true],
      ['updated', ['phone'], true],
    ]);
    expect(new Set(received.map((c) => c.eventId)).size).toBe(3);
    expect(gaps.n).toBe(0);
  });

  it('a gap naming records reads them again and feeds their current state', async () => {
    const received: ExternalChangeInput[] = [];
    const gaps = { n: 0 };
    const f = follower(received, gaps);
    const account = await ui('POST', '/ui/accounts', { Name: 'Gap Co', Billing_Email__c: 'gap@x.io' });
    f.start();
    await new Promise((r) => setTimeout(r, 500));
    await ui('POST', '/events/gap', { changeType: 'GAP_UPDATE', recordIds: [account.Id] });
    const healed = await waitFor('the record read again', () => received.find((c) => c.externalId === account.Id && String(c.eventId).startsWith('gap:')));
    await f.stop();
    expect(healed).toMatchObject({ kind: 'created', state: expect.objectContaining({ name: 'Gap Co', email: 'gap@x.io' }) });
    expect(gaps.n).toBe(0);
  });

  it('a replay id past the retention runs onGap, then follows again', async () => {
    const received: ExternalChangeInput[] = [];
    const gaps = { n: 0 };
    const f = follower(received, gaps);
    f.start();
    await new Promise((r) => setTimeout(r, 400));
    const account = await ui('POST', '/ui/accounts', { Name: 'Old', Billing_Email__c: 'old@x.io' });
    await waitFor('the create', () => (received.length >= 1 ? true : undefined));
    await f.stop();
    await ui('PATCH', `/ui/accounts/${account.Id}`, { Name: 'Forgotten' });
    await new Promise((r) => setTimeout(r, 3_500)); // the stored replay id is now past the retention
    const again = follower(received, gaps);
    again.start();
    await waitFor('the gap', () => (gaps.n > 0 ? true : undefined));
    await ui('PATCH', `/ui/accounts/${account.Id}`, { Name: 'After' });
    await waitFor('a change after the gap', () => (names(received).includes('After') ? true : undefined));
    await again.stop();
  });
});
