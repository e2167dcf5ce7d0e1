import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('lets a burst through at once, then paces to the rate', async () => {
    const bucket = new TokenBucket(50, 5);
    const start = Date.now();
    await Promise.all(Array.from({ length: 5 }, () => bucket.take()));
    await Promise.all(Array.from({ length: 10 }, () => bucket.take()));
    // 10 more tokens at 50/s take about 200 ms; allow generous scheduling slack, but not "no limit".
    expect(Date.now() - start).toBeGreaterThanOrEqual(180);
  });

  it('serves waiters in arrival order', async () => {
    const bucket = new TokenBucket(100, 1);
    const order: number[] = [];
    await Promise.all([1, 2, 3, 4].map((i) => bucket.take().then(() => order.push(i))));
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it('is a no-op without a rate', async () => {
    const bucket = new TokenBucket(0);
    await Promise.all(Array.from({ length: 1000 }, () => bucket.take()));
  });
});
