import { Migration } from '@mikro-orm/migrations';

/**
 * Room on each page for an update to stay on it (a HOT update: no new index entries), for the two
 * tables every inbound change updates. A mapping moves forward on every applied change
 * (last_synced_hash, last_synced_state, last_synced_at, last_source_ts: none of them indexed), but
 * with pages filled to the brim the new row version lands on another page and every index of the
 * table gets an entry for it. Customers change fields without an index (name, phone, address) as
 * often. New and emptied pages keep the room; rows already there move as they are updated.
 *
 * external_mappings_system_idx goes: the console's counts per system come from row_counts since
 * 20261210, and a lookup by system alone uses external_mappings_external_uq, which leads with
 * it. One index fewer to write for each new mapping, and one plan fewer that could probe every
 * mapping of a system where it meant one (see StatisticsGate).
 */
export class Migration20261212000000_hot_mapping_updates extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table external_mappings set (fillfactor = 80);`);
    this.addSql(`alter table customers set (fillfactor = 90);`);
    this.addSql(`drop index if exists external_mappings_system_idx;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table external_mappings reset (fillfactor);`);
    this.addSql(`alter table customers reset (fillfactor);`);
    this.addSql(`create index if not exists external_mappings_system_idx on external_mappings (external_system);`);
  }
}
