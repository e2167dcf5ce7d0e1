/** Counters for GET /_emulator/stats; admin traffic is not counted. */
export class Stats {
  total = 0;
  writes = 0;
  uiWrites = 0;
  errorsInjected = 0;
  rejectedForQuota = 0;
  private readonly byRoute = new Map<string, number>();

  countRequest(route: string): void {
    this.total++;
    this.byRoute.set(route, (this.byRoute.get(route) ?? 0) + 1);
  }

  routes(): Record<string, number> {
    return Object.fromEntries(this.byRoute);
  }

  reset(): void {
    this.total = 0;
    this.writes = 0;
    this.uiWrites = 0;
    this.errorsInjected = 0;
    this.rejectedForQuota = 0;
    this.byRoute.clear();
  }
}

/** Daily API request allowance, as Sforce-Limit-Info and GET limits report it. */
export class Quota {
  used = 0;
  constructor(public max: number) {}

  /** Counts one call; false (and nothing counted) when the allowance is gone. */
  take(): boolean {
    if (this.used >= this.max) return false;
    this.used++;
    return true;
  }

  get header(): string {
    return `api-usage=${this.used}/${this.max}`;
  }
}
