import { CircuitBreaker, CircuitOpenError, type CircuitState } from './circuit-breaker';

class Down extends Error {}
class Rejected extends Error {}

/** A breaker over a pretend system: Down is the system's failure, Rejected one call's. */
function setup(settings: Partial<{ failureThreshold: number; windowMs: number; coolDownMs: number }> = {}) {
  const system = { up: false, probes: 0 };
  const breaker = new CircuitBreaker('stripe', {
    failureThreshold: 3,
    windowMs: 60_000,
    coolDownMs: 5_000,
    ...settings,
    probe: async () => {
      system.probes++;
      if (!system.up) throw new Down('still down');
    },
    failureOf: (err) => (err instanceof Down ? 'network_error' : null),
  });
  const states: CircuitState[] = [];
  breaker.onChange((s) => states.push(s.state));
  const fail = (err: Error = new Down('down')) => breaker.call(() => Promise.reject(err)).catch((e: unknown) => e);
  const succeed = () => breaker.call(async () => 'ok');
  return { system, breaker, states, fail, succeed };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('CircuitBreaker', () => {
  it('opens after the threshold of system failures in a row, and then refuses calls without making them', async () => {
    const { breaker, states, fail } = setup();
    await fail();
    await fail();
    expect(breaker.state).toBe('closed');
    await fail();
    expect(breaker.state).toBe('open');
    expect(states).toEqual(['open']);
    const fn = jest.fn(async () => 'called');
    await expect(breaker.call(fn)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(fn).not.toHaveBeenCalled();
    expect(breaker.snapshot()).toMatchObject({ state: 'open', failures: 3, lastFailure: 'network_error', nextProbeAt: expect.any(Date) });
  });

  it('a success, or a failure that is not the system’s (it answered), ends the run', async () => {
    const { breaker, fail, succeed } = setup();
    await fail();
    await fail();
    await succeed();
    await fail();
    await fail();
    await fail(new Rejected('email invalid'));
    await fail();
    await fail();
    expect(breaker.state).toBe('closed');
    await fail();
    expect(breaker.state).toBe('open');
  });

  it('counts again from one when a failure comes longer than the window after the previous one', async () => {
    const { breaker, fail } = setup({ windowMs: 10_000 });
    await fail();
    await fail();
    await jest.advanceTimersByTimeAsync(10_001);
    await fail();
    await fail();
    expect(breaker.state).toBe('closed');
    await fail();
    expect(breaker.state).toBe('open');
  });

  it('probes once per cool-down while the system stays down, and closes on the first probe that passes, releasing every waiter at once', async () => {
    const { system, breaker, states, fail, succeed } = setup();
    for (let i = 0; i < 3; i++) await fail();
    const opened = breaker.snapshot().since;
    let released = 0;
    const waiting = Array.from({ length: 5 }, () => breaker.whenClosed().then(() => released++));

    await jest.advanceTimersByTimeAsync(4_999);
    expect(system.probes).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(system.probes).toBe(1);
    expect(breaker.state).toBe('open');
    await jest.advanceTimersByTimeAsync(5_000);
    expect(system.probes).toBe(2);
    expect(released).toBe(0);
    // One outage: its probes keep the time it opened.
    expect(breaker.snapshot()).toMatchObject({ state: 'open', since: opened, failures: 5 });

    system.up = true;
    await jest.advanceTimersByTimeAsync(5_000);
    await Promise.all(waiting);
    expect(released).toBe(5);
    expect(system.probes).toBe(3);
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', failures: 0, lastFailure: null, nextProbeAt: null });
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'open', 'half-open', 'closed']);
    await expect(succeed()).resolves.toBe('ok');
    await expect(breaker.whenClosed()).resolves.toBeUndefined();
  });

  it('is half-open while its probe is in flight, and still makes no other call', async () => {
    let answer: (() => void) | undefined;
    const breaker = new CircuitBreaker('salesforce', {
      failureThreshold: 1,
      windowMs: 60_000,
      coolDownMs: 100,
      probe: () => new Promise<void>((resolve) => (answer = resolve)),
      failureOf: () => 'timeout',
    });
    await breaker.call(() => Promise.reject(new Error('timeout'))).catch(() => undefined);
    await jest.advanceTimersByTimeAsync(100);
    expect(breaker.state).toBe('half-open');
    await expect(breaker.call(async () => 1)).rejects.toThrow(/salesforce circuit half-open/);
    answer!();
    await jest.advanceTimersByTimeAsync(0);
    expect(breaker.state).toBe('closed');
  });

  it('stops probing once stopped', async () => {
    const { system, breaker, fail } = setup();
    for (let i = 0; i < 3; i++) await fail();
    breaker.stop();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(system.probes).toBe(0);
  });

  it('a listener that throws does not break it', async () => {
    const { breaker, fail } = setup({ failureThreshold: 1 });
    breaker.onChange(() => {
      throw new Error('database away');
    });
    await fail();
    expect(breaker.state).toBe('open');
  });
});
