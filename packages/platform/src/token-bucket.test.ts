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

describe('TokenBucket.tryTake', () => {
  const clock = () => {
    let t = 1_000_000;
    return { now: () => t, advance: (ms: number) => void (t += ms) };
  };

  it('hands out the burst, then refuses with the time until the next token', () => {
    const c = clock();
    const bucket = new TokenBucket(2, 3, c.now);
    expect([1, 2, 3].map(() => bucket.tryTake())).toEqual([
      { taken: true, remaining: 2, retryInMs: 0, fullInMs: 500 },
      { taken: true, remaining: 1, retryInMs: 0, fullInMs: 1000 },
      { taken: true, remaining: 0, retryInMs: 0, fullInMs: 1500 },
    ]);
    expect(bucket.tryTake()).toEqual({ taken: false, remaining: 0, retryInMs: 500, fullInMs: 1500 });
    c.advance(200);
    expect(bucket.tryTake()).toMatchObject({ taken: false, retryInMs: 300 });
  });

  it('refills at the rate, never past the burst', () => {
    const c = clock();
    const bucket = new TokenBucket(2, 3, c.now);
    for (let i = 0; i < 3; i++) bucket.tryTake();
    c.advance(500);
    expect(bucket.tryTake()).toMatchObject({ taken: true, remaining: 0 });
    expect(bucket.tryTake().taken).toBe(false);
    expect(bucket.isFull()).toBe(false);
    c.advance(60_000);
    expect(bucket.isFull()).toBe(true);
    expect(bucket.tryTake()).toMatchObject({ taken: true, remaining: 2 });
  });

  it('always takes without a rate', () => {
    const bucket = new TokenBucket(0, 5);
    for (let i = 0; i < 100; i++) expect(bucket.tryTake().taken).toBe(true);
  });
});
