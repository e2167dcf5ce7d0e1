/**
 * A first start with no cursors: the change stream subscribes at its newest event and the change
 * feed had begun at its first successful poll, so an edit made after the worker started but
 * before either held a cursor (the worker killed before the stream's first batch, Salesforce
 * failing the first polls) reached neither. Both now begin at the system's recorded start point.
 */
import { openOrm, type MikroORM } from '@cs/domain';
import type { ExternalChangeInput } from '@cs/kafka-schemas';
import { createLogger } from '@cs/platform';
import { startTestOrg, type TestOrg } from '../../integrations/src/salesforce/test/emulator';
import { resetDatabase } from '../../../test/support/db';
import { CatchUpPoller } from './catch-up';
import { readCursor, START_MARGIN_S } from './cursors';
import { StreamFollower } from './stream-follower';

let orm: MikroORM;
let org: TestOrg;
beforeAll(async () => {
  orm = await openOrm({ databaseUrl: process.env.DATABASE_URL!, poolMax: 4 });
  org = await startTestOrg(); // no keep-alive within a test: no batch, so no stream cursor, unless a change comes
});
afterAll(async () => {
  await orm.close();
  await org.close();
});
// Stopped even when a test fails half-way (a follower left running would hold the run open).
const followers: StreamFollower[] = [];
const follow = () => {
  const f = new StreamFollower({ orm, integration: org.sf, logger, retryMs: 100, feed: async () => undefined });
  followers.push(f);
  f.start();
  return f;
};
afterEach(async () => {
  await Promise.all(followers.splice(0).map((f) => f.stop()));
});
beforeEach(async () => {
  await resetDatabase();
  await org.admin('POST', '/reset', {});
});

const logger = createLogger({ name: 'start-point-test', level: 'silent' });
const ui = async (method: string, path: string, body?: unknown) => (await org.admin<{ Id: string }>(method, path, body)).body;
const names = (list: ExternalChangeInput[]) => list.map((c) => (c.state as { name?: string } | null)?.name);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the start point of a system’s change paths', () => {
  it('an edit made after the first start, before the stream’s first batch and the feed’s first poll, is read by the feed', async () => {
    const before = Math.floor(Date.now() / 1000);
    const stream = follow();
    await sleep(500); // subscribed
    // Killed before its first batch: no stream cursor.
    await stream.stop();
    expect(await readCursor(orm.em.fork(), 'stream:salesforce')).toBeNull();
    const recorded = await readCursor<number>(orm.em.fork(), 'start:salesforce');

    await ui('POST', '/ui/accounts', { Name: 'Made while nobody followed', Billing_Email__c: 'gap@x.io' });

    // The feed's first poll (after a restart): it reads from the start point, not from now.
    const fed: ExternalChangeInput[] = [];
    const poller = new CatchUpPoller({ orm, integration: org.sf, logger, feed: async (c) => void fed.push(...c) });
    expect(await poller.runOnce()).toMatchObject({ ran: true, changes: 1 });
    expect(names(fed)).toEqual(['Made while nobody followed']);
    // Recorded by the stream before it subscribed, and read by the feed.
    const start = await readCursor<number>(orm.em.fork(), 'start:salesforce');
    expect(recorded).toBe(start);
    expect(start).toBeGreaterThanOrEqual(before - START_MARGIN_S - 1);
    expect(start).toBeLessThanOrEqual(before - START_MARGIN_S + 2);
    // The point is recorded once: a second start keeps it.
    const again = follow();
    await sleep(300);
    await again.stop();
    expect(await readCursor(orm.em.fork(), 'start:salesforce')).toBe(start);
  });

  it('a first poll that fails keeps the start point for the next one', async () => {
    const fed: ExternalChangeInput[] = [];
    const failing = new CatchUpPoller({
      orm,
      integration: org.sf,
      logger,
      feed: async () => {
        throw new Error('kafka down');
      },
    });
    await ui('POST', '/ui/accounts', { Name: 'Early', Billing_Email__c: 'early@x.io' });
    await expect(failing.runOnce()).rejects.toThrow('kafka down');
    expect(await readCursor(orm.em.fork(), 'catchup:salesforce')).toBeNull();
    const start = await readCursor<number>(orm.em.fork(), 'start:salesforce');
    await ui('POST', '/ui/accounts', { Name: 'Later', Billing_Email__c: 'later@x.io' });
    const poller = new CatchUpPoller({ orm, integration: org.sf, logger, feed: async (c) => void fed.push(...c) });
    await poller.runOnce();
    expect(names(fed).sort()).toEqual(['Early', 'Later']);
    expect(typeof start).toBe('number');
    expect(await readCursor(orm.em.fork(), 'start:salesforce')).toBe(start);
  });
});
