export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitSettings {
  /** Failures of the system in a row (no success between) that open the circuit. */
  failureThreshold: number;
  /** A failure more than this long after the previous one starts the count again. */
  windowMs: number;
  /** How long the circuit stays open before one probe call may test the system. */
  coolDownMs: number;
}

export interface CircuitOptions extends CircuitSettings {
  /** The one call made while half-open: resolves if the system answers (a connector's ping). */
  probe: () => Promise<unknown>;
  /**
   * A failed call's code when the failure is the system's (network, timeout, 5xx, refused
   * credentials), null when it is not: the system answered, about this call only (a 400).
   */
  failureOf: (err: unknown) => string | null;
}

/** What the circuit knows now: what health, metrics, logs and the console show. */
export interface CircuitSnapshot {
  state: CircuitState;
  /** When it closed, or when it opened: the probes of one outage (half-open, open again) keep that time. */
  since: Date;
  /** System failures in a row (probes included); 0 once closed by a probe or a success. */
  failures: number;
  /** The last system failure's code (network_error, api_error 503 …), kept until the circuit closes. */
  lastFailure: string | null;
  /** While open: when the next probe goes. */
  nextProbeAt: Date | null;
}

/** Thrown instead of calling a system whose circuit is not closed. */
export class CircuitOpenError extends Error {
  constructor(
    readonly system: string,
    readonly snapshot: CircuitSnapshot,
  ) {
    super(`${system} circuit ${snapshot.state} since ${snapshot.since.toISOString()}${snapshot.lastFailure ? ` (last failure: ${snapshot.lastFailure})` : ''}: not calling it`);
    this.name = 'CircuitOpenError';
  }
}

/**
 * A circuit breaker for one external system in one process. Closed: calls go, and a run of
 * `failureThreshold` system failures (an outage, a 5xx storm, refused credentials — never one
 * record's validation error) opens it. Open: no call goes; after `coolDownMs` it turns half-open
 * and makes one probe call of its own (so no message is risked on it): success closes it and every
 * waiter goes at once, failure opens it for another cool-down.
 */
export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private since = new Date();
  private failures = 0;
  private lastFailureAt = 0;
  private lastFailure: string | null = null;
  private nextProbeAt: Date | null = null;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private waiters: Array<() => void> = [];
  private readonly listeners: Array<(s: CircuitSnapshot, from: CircuitState) => void> = [];

  constructor(
    readonly system: string,
    private readonly opts: CircuitOptions,
  ) {}

  get state(): CircuitState {
    return this.current;
  }

  get closed(): boolean {
    return this.current === 'closed';
  }

  snapshot(): CircuitSnapshot {
    return { state: this.current, since: this.since, failures: this.failures, lastFailure: this.lastFailure, nextProbeAt: this.nextProbeAt };
  }

  /** Told of every change of state, after it happened. */
  onChange(listener: (s: CircuitSnapshot, from: CircuitState) => void): void {
    this.listeners.push(listener);
  }

  /** Resolves at once while closed, else when the circuit closes. */
  whenClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Runs `fn` if the circuit is closed (else throws CircuitOpenError without calling) and counts
   * its outcome: a system failure counts toward opening; a success, or a failure that is not the
   * system's (it answered), ends the run.
   */
  async call<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.closed) throw new CircuitOpenError(this.system, this.snapshot());
    let value: T;
    try {
      value = await fn();
    } catch (err) {
      const failure = this.opts.failureOf(err);
      if (failure === null) this.succeeded();
      else this.failed(failure);
      throw err;
    }
    this.succeeded();
    return value;
  }

  private succeeded(): void {
    // A call that started before the circuit opened and answers late proves little: the probe decides.
    if (this.closed) this.failures = 0;
  }

  private failed(code: string): void {
    const now = Date.now();
    this.lastFailure = code;
    if (!this.closed) {
      this.failures++; // a call that was in flight when it opened
      return;
    }
    if (this.failures > 0 && now - this.lastFailureAt > this.opts.windowMs) this.failures = 0;
    this.failures++;
    this.lastFailureAt = now;
    if (this.failures >= this.opts.failureThreshold) this.open();
  }

  /** Stops probing (process shutdown); waiters stay waiting, their consumer is stopping them. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private open(): void {
    this.nextProbeAt = new Date(Date.now() + this.opts.coolDownMs);
    this.enter('open');
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.probe(), this.opts.coolDownMs);
    this.timer.unref();
  }

  private async probe(): Promise<void> {
    this.nextProbeAt = null;
    this.enter('half-open');
    try {
      await this.opts.probe();
    } catch (err) {
      this.lastFailure = this.opts.failureOf(err) ?? 'probe failed';
      this.failures++;
      this.open();
      return;
    }
    this.failures = 0;
    this.lastFailure = null;
    this.enter('closed');
    const waiting = this.waiters;
    this.waiters = [];
    for (const go of waiting) go();
  }

  private enter(state: CircuitState): void {
    const from = this.current;
    this.current = state;
    if (from === 'closed' || state === 'closed') this.since = new Date();
    const now = this.snapshot();
    for (const listener of this.listeners) {
      try {
        listener(now, from);
      } catch {
        // A listener (a metric, a log line, a database write) must never stop the circuit.
      }
    }
  }
}
