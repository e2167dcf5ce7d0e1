import { pgTime } from './pg-time';

describe('pgTime', () => {
  it('reads the text Postgres sends for timestamptz, with or without fractions and minutes in the offset', () => {
    expect(pgTime('2026-11-28 18:34:21.74924+00').toISOString()).toBe('2026-11-28T18:34:21.749Z');
    expect(pgTime('2026-11-28 18:34:21+00').toISOString()).toBe('2026-11-28T18:34:21.000Z');
    expect(pgTime('2026-11-28 20:34:21.5+02').toISOString()).toBe('2026-11-28T18:34:21.500Z');
    expect(pgTime('2026-11-28 23:04:21+05:30').toISOString()).toBe('2026-11-28T17:34:21.000Z');
  });

  it('passes Dates and null through, and refuses anything else', () => {
    const d = new Date();
    expect(pgTime(d)).toBe(d);
    expect(pgTime(null)).toBeNull();
    expect(() => pgTime('yesterday')).toThrow('not a Postgres timestamp');
  });
});
