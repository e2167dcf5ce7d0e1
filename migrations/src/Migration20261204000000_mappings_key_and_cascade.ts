import { Migration } from '@mikro-orm/migrations';

/**
 * Two changes to the generic mappings of Migration20261201000000, made after that migration had
 * shipped — so here, not by editing it (databases in the field ran it as it was):
 * - The internal key leads with our id, as the key it replaced did: a lookup by our record (the
 *   reconcile's anti joins over every customer) stays a probe of this index even while a bulk
 *   import runs ahead of the statistics; led by the entity type, a planner that believed the
 *   tables nearly empty scanned every mapping of the system per customer instead (100,000
 *   customers: a timeout).
 * - The cascade the dropped reference to customers carried is kept by a trigger: a customer row
 *   removed by hand (ours are tombstones; a person with SQL is another matter) takes its mappings
 *   along, and nothing points at a record that is gone.
 * Idempotent where a development database ran the edited 20261201 migration and has both already.
 */
export class Migration20261204000000_mappings_key_and_cascade extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table external_mappings drop constraint if exists external_mappings_internal_uq;`);
    this.addSql(
      `alter table external_mappings add constraint external_mappings_internal_uq unique (internal_id, entity_type, external_system, external_object_type);`,
    );
    this.addSql(`
      create or replace function external_mappings_forget_customer() returns trigger language plpgsql as $$
      begin delete from external_mappings where entity_type = 'customer' and internal_id = old.id; return old; end $$;`);
    this.addSql(`drop trigger if exists customers_forget_mappings on customers;`);
    this.addSql(`create trigger customers_forget_mappings after delete on customers for each row execute function external_mappings_forget_customer();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists customers_forget_mappings on customers;`);
    this.addSql(`drop function if exists external_mappings_forget_customer();`);
    this.addSql(`alter table external_mappings drop constraint external_mappings_internal_uq;`);
    this.addSql(
      `alter table external_mappings add constraint external_mappings_internal_uq unique (entity_type, internal_id, external_system, external_object_type);`,
    );
  }
}
