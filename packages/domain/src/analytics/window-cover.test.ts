import { coverWindow, ROLLUP_WIDTHS } from './window-cover';

const at = (iso: string) => new Date(iso);

describe('coverWindow', () => {
  it('takes the widest periods that divide the bucket, narrower ones to the ends, and the sub-minute ends raw', () => {
    const c = coverWindow(at('2026-12-01T09:47:30.250Z'), at('2026-12-01T12:05:10Z'), 3600);
    expect(c.blocks.map((b) => [b.width, b.from.toISOString(), b.to.toISOString()])).toEqual([
      [60, '2026-12-01T09:48:00.000Z', '2026-12-01T09:50:00.000Z'],
      [300, '2026-12-01T09:50:00.000Z', '2026-12-01T10:00:00.000Z'],
      [3600, '2026-12-01T10:00:00.000Z', '2026-12-01T12:00:00.000Z'],
      [300, '2026-12-01T12:00:00.000Z', '2026-12-01T12:05:00.000Z'],
    ]);
    expect(c.raw.map(([a, b]) => [a.toISOString(), b.toISOString()])).toEqual([
      ['2026-12-01T09:47:30.250Z', '2026-12-01T09:48:00.000Z'],
      ['2026-12-01T12:05:00.000Z', '2026-12-01T12:05:10.000Z'],
    ]);
  });

  it('covers any window exactly once, with periods that never straddle a bucket', () => {
    for (const bucket of [60, 300, 900, 3600, 21_600, 86_400]) {
      for (let i = 0; i < 200; i++) {
        const from = Date.UTC(2026, 10, 1) + ((i * 7_919_731) % (40 * 86_400_000)) + (i % 7) * 1_337;
        const to = from + 1 + ((i * 104_729_3) % (9 * 86_400_000));
        const c = coverWindow(new Date(from), new Date(to), bucket);
        const pieces = [...c.blocks.map((b) => [b.from.getTime(), b.to.getTime()] as const), ...c.raw.map(([a, b]) => [a.getTime(), b.getTime()] as const)].sort((x, y) => x[0] - y[0]);
        expect(pieces[0]![0]).toBe(from);
        expect(pieces[pieces.length - 1]![1]).toBe(to);
        for (let k = 1; k < pieces.length; k++) expect(pieces[k]![0]).toBe(pieces[k - 1]![1]);
        for (const b of c.blocks) {
          expect(ROLLUP_WIDTHS).toContain(b.width);
          expect(bucket % b.width).toBe(0);
          expect(b.from.getTime() % (b.width * 1000)).toBe(0);
          expect(b.to.getTime() % (b.width * 1000)).toBe(0);
        }
        for (const [a, b] of c.raw) expect(b.getTime() - a.getTime()).toBeLessThan(60_000);
      }
    }
  });
});
