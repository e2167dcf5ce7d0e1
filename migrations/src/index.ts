import { Migration20261128000000_init } from './Migration20261128000000_init';
import { Migration20261201000000_generic_mappings } from './Migration20261201000000_generic_mappings';
import { Migration20261202000000_customer_contact } from './Migration20261202000000_customer_contact';
import { Migration20261203000000_invoices } from './Migration20261203000000_invoices';
import { Migration20261204000000_mappings_key_and_cascade } from './Migration20261204000000_mappings_key_and_cascade';
import { Migration20261205000000_sync_event_actor } from './Migration20261205000000_sync_event_actor';
import { Migration20261206000000_bounded_sync_data } from './Migration20261206000000_bounded_sync_data';
import { Migration20261207000000_invoice_waits } from './Migration20261207000000_invoice_waits';
import { Migration20261209000000_sync_event_source_at } from './Migration20261209000000_sync_event_source_at';
import { Migration20261210000000_sync_rollups } from './Migration20261210000000_sync_rollups';
import { Migration20261211000000_outbox_quiet_notify } from './Migration20261211000000_outbox_quiet_notify';
import { Migration20261212000000_hot_mapping_updates } from './Migration20261212000000_hot_mapping_updates';

/** Every migration, oldest first. The migrator runs this list (no file scanning at run time). */
export const migrationsList = [
  { name: 'Migration20261128000000_init', class: Migration20261128000000_init },
  { name: 'Migration20261201000000_generic_mappings', class: Migration20261201000000_generic_mappings },
  { name: 'Migration20261202000000_customer_contact', class: Migration20261202000000_customer_contact },
  { name: 'Migration20261203000000_invoices', class: Migration20261203000000_invoices },
  { name: 'Migration20261204000000_mappings_key_and_cascade', class: Migration20261204000000_mappings_key_and_cascade },
  { name: 'Migration20261205000000_sync_event_actor', class: Migration20261205000000_sync_event_actor },
  { name: 'Migration20261206000000_bounded_sync_data', class: Migration20261206000000_bounded_sync_data },
  { name: 'Migration20261207000000_invoice_waits', class: Migration20261207000000_invoice_waits },
  { name: 'Migration20261209000000_sync_event_source_at', class: Migration20261209000000_sync_event_source_at },
  { name: 'Migration20261210000000_sync_rollups', class: Migration20261210000000_sync_rollups },
  { name: 'Migration20261211000000_outbox_quiet_notify', class: Migration20261211000000_outbox_quiet_notify },
  { name: 'Migration20261212000000_hot_mapping_updates', class: Migration20261212000000_hot_mapping_updates },
];

/** Where `pnpm db:migrate:create` writes new migrations. */
export const migrationsPath = __dirname.replace(/[\\/]dist$/, '/src');
