import { RateLimiter } from './rate-limiter';
import { DEFAULT_FAULTS, mergeFaults, type FaultSettings } from './settings';

/** Current fault settings plus the derived state (compiled regex, token bucket) they imply. */
export class Faults {
  private current: FaultSettings;
  private compiledEmailPattern: RegExp | null = null;
  readonly rateLimiter = new RateLimiter();

  constructor(private readonly initial: Readonly<FaultSettings> = DEFAULT_FAULTS) {
    this.current = { ...initial };
    this.apply(this.current);
  }

  get settings(): Readonly<FaultSettings> {
    return this.current;
  }

  get rejectEmail(): RegExp | null {
    return this.compiledEmailPattern;
  }

  /** Throws FaultValidationError and leaves settings untouched on bad input. */
  update(patch: unknown): FaultSettings {
    const next = mergeFaults(this.current, patch);
    this.apply(next);
    return { ...next };
  }

  restoreInitial(): void {
    this.apply({ ...this.initial });
  }

  /** Decided per request, before any state change. */
  shouldInjectError(): boolean {
    return this.current.error_rate > 0 && Math.random() < this.current.error_rate;
  }

  private apply(next: FaultSettings): void {
    this.current = next;
    this.compiledEmailPattern = next.reject_email_pattern === null ? null : new RegExp(next.reject_email_pattern);
    this.rateLimiter.configure(next.rate_limit_rps);
  }
}
