import { Migration20261128000000_init } from './Migration20261128000000_init';
import { Migration20261201000000_generic_mappings } from './Migration20261201000000_generic_mappings';

/** Every migration, oldest first. The migrator runs this list (no file scanning at run time). */
export const migrationsList = [
  { name: 'Migration20261128000000_init', class: Migration20261128000000_init },
  { name: 'Migration20261201000000_generic_mappings', class: Migration20261201000000_generic_mappings },
];

/** Where `pnpm db:migrate:create` writes new migrations. */
export const migrationsPath = __dirname.replace(/[\\/]dist$/, '/src');
