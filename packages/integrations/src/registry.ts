import type { Integration } from './types';

/** Integrations keyed by system name; workers look systems up here and never name one. */
export class IntegrationRegistry {
  private readonly bySystem = new Map<string, Integration>();

  register(integration: Integration): this {
    if (this.bySystem.has(integration.system)) throw new Error(`integration "${integration.system}" registered twice`);
    this.bySystem.set(integration.system, integration);
    return this;
  }

  get(system: string): Integration {
    const found = this.bySystem.get(system);
    if (!found) throw new Error(`no integration registered for "${system}"`);
    return found;
  }

  has(system: string): boolean {
    return this.bySystem.has(system);
  }

  systems(): string[] {
    return [...this.bySystem.keys()];
  }
}
