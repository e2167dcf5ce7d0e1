import { niceEnv } from './priority';

// applyNice itself is checked on the running inbound worker (e2e/inbound.e2e.test.ts).
describe('niceEnv', () => {
  it('accepts nice values from -20 to 19 and refuses anything else', () => {
    expect(niceEnv(10).parse(undefined)).toBe(10);
    expect(niceEnv(10).parse('0')).toBe(0);
    expect(niceEnv(10).safeParse('20').success).toBe(false);
    expect(niceEnv(10).safeParse('low').success).toBe(false);
  });
});
