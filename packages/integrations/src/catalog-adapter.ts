import type { CatalogName, Integration, IntegrationCatalogs } from './types';

/** Thrown when a system is asked about a catalog it does not sync. */
export class CatalogNotSynced extends Error {
  constructor(system: string, catalog: string) {
    super(`${system} does not sync the ${catalog} catalog`);
    this.name = 'CatalogNotSynced';
  }
}

/** The adapter of `catalog` at `integration`; throws when the system does not sync it. */
export function adapterOf<C extends CatalogName>(integration: Integration, catalog: C): NonNullable<IntegrationCatalogs[C]> {
  const adapter = integration.catalogs[catalog];
  if (!adapter) throw new CatalogNotSynced(integration.system, catalog);
  return adapter as NonNullable<IntegrationCatalogs[C]>;
}
