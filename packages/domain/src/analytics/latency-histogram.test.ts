import { addHistogram, percentile, type Histogram } from './latency-histogram';

const of = (stored: Record<string, [number, number]>): Histogram => {
  const h: Histogram = new Map();
  addHistogram(h, stored);
  return h;
};

describe('percentile over a stored time-to-sync histogram', () => {
  it('is percentile_cont of the values when each bucket holds one value', () => {
    // 50, 100, 200, 300, 400, 1000 ms in buckets of their own
    const h = of({ '50': [1, 50], '86': [1, 100], '121': [1, 200], '142': [1, 300], '156': [1, 400], '202': [1, 1000] });
    expect(percentile(h, 0.5)).toBe(250);
    expect(percentile(h, 0.95)).toBeCloseTo(850);
    expect(percentile(h, 0.99)).toBeCloseTo(970);
    expect(percentile(h, 0)).toBe(50);
    expect(percentile(h, 1)).toBe(1000);
  });

  it('takes a bucket of several values at their mean, and knows nothing when empty', () => {
    expect(percentile(of({ '100': [4, 480] }), 0.5)).toBe(120);
    expect(percentile(of({ '3': [2, 6], '100': [0, 0] }), 0.99)).toBe(3);
    expect(percentile(new Map(), 0.5)).toBeNull();
  });

  it('adds stored maps bucket by bucket, including counts taken back out', () => {
    const h = of({ '7': [3, 21], '9': [1, 9] });
    addHistogram(h, { '7': [-3, -21], '8': ['2', '16'] as unknown as [number, number] });
    expect(percentile(h, 0.5)).toBe(8);
  });
});
