import type { SourceEvent } from '../types';
import { stripeFeed } from './feed';

const NOW = 1_800_000_000;
const event = (id: string, created: number): SourceEvent => ({
  eventId: id,
  eventType: 'customer.updated',
  objectId: `cus_${id}`,
  created,
  event: { id, type: 'customer.updated', created, data: { object: { id: `cus_${id}`, object: 'customer', name: 'N', email: 'n@x.io', created: 1, metadata: {} } } },
});

function fakeStripe(events: SourceEvent[]) {
  const asked: Array<[number, number]> = [];
  const list = async (fromTs: number, toTs: number) => {
    asked.push([fromTs, toTs]);
    return events.filter((e) => e.created >= fromTs && e.created < toTs);
  };
  return { asked, feed: stripeFeed(list, { now: () => NOW * 1000 }) };
}

describe("Stripe's change feed (the events API behind an opaque cursor)", () => {
  it('starts about now on the first read, and never reads an event twice, even within one second', async () => {
    const { asked, feed } = fakeStripe([event('a', NOW - 10), event('b', NOW - 10)]);
    const first = await feed.poll(null);
    expect(asked[0]).toEqual([NOW - 60, NOW + 1]);
    expect(first.changes.map((c) => c.eventId)).toEqual(['a', 'b']);
    expect(first.changes[0]).toMatchObject({ kind: 'updated', entityType: 'customer', objectType: 'customer', externalId: 'cus_a', eventType: 'customer.updated', sourceTs: NOW - 10 });
    const second = await feed.poll(first.cursor);
    expect(second.changes).toEqual([]);
  });

  it('restarts from a given time, warns near the 30-day retention and reports a gap past it', async () => {
    const { asked, feed } = fakeStripe([]);
    await feed.poll(null, { sinceTs: NOW - 3600 });
    expect(asked[0]![0]).toBe(NOW - 3600);
    const old = JSON.stringify({ ts: NOW - 27 * 86_400, ids: [] });
    expect((await feed.poll(old)).warning).toMatch(/close to Stripe's 30-day retention/);
    const lost = await feed.poll(JSON.stringify({ ts: NOW - 31 * 86_400, ids: [] }));
    expect(lost.gap).toBe(true);
    expect(asked.at(-1)![0]).toBe(NOW - 29 * 86_400);
  });
});
