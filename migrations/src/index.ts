import { Migration20261128000000_init } from './Migration20261128000000_init';

/** Every migration, oldest first. The migrator runs this list (no file scanning at run time). */
export const migrationsList = [{ name: 'Migration20261128000000_init', class: Migration20261128000000_init }];

/** Where `pnpm db:migrate:create` writes new migrations. */
export const migrationsPath = __dirname.replace(/[\\/]dist$/, '/src');
