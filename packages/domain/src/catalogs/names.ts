import type { CatalogName } from '@cs/integrations';
import { customerCatalog } from './customer';
import { invoiceCatalog } from './invoice';

/** Every catalog of ours, by name: what an operator may name when asking about one (a reconcile report). */
export const catalogNames: readonly CatalogName[] = [customerCatalog.name, invoiceCatalog.name];
