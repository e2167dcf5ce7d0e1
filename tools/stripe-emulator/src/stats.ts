/** Request counters for `GET /_emulator/stats`; only /v1 traffic is counted. */
export class Stats {
  total = 0;
  writes = 0;
  rateLimited = 0;
  errorsInjected = 0;
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
    this.rateLimited = 0;
    this.errorsInjected = 0;
    this.byRoute.clear();
  }
}
