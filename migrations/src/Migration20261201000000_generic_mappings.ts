import { Migration } from '@mikro-orm/migrations';

/**
 * Mappings and the outbox stop assuming one entity (customers) and one record per system: a
 * mapping is keyed by (entity type, our id, system, external object type), so one record of ours
 * can map to several records of one system (a Salesforce Account and a Contact), and any catalog
 * (invoices next) can be mapped; every outbox row says which entity it is about. Existing rows
 * are customers mapped to Stripe customers, which the defaults say.
 */
export class Migration20261201000000_generic_mappings extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table external_mappings rename column internal_customer_id to internal_id;`);
    // An invoice's id is no customer id: the reference to customers cannot stay. Its cascade is
    // kept by a trigger: a customer row removed by hand (ours are tombstones; a person with SQL
    // is another matter) takes its mappings along, and nothing points at a record that is gone.
    this.addSql(`alter table external_mappings drop constraint external_mappings_internal_customer_id_fkey;`);
    this.addSql(`
      create function external_mappings_forget_customer() returns trigger language plpgsql as $$
      begin delete from external_mappings where entity_type = 'customer' and internal_id = old.id; return old; end $$;`);
    this.addSql(`create trigger customers_forget_mappings after delete on customers for each row execute function external_mappings_forget_customer();`);
    this.addSql(`alter table external_mappings add column entity_type varchar(50) not null default 'customer';`);
    this.addSql(`alter table external_mappings add column external_object_type varchar(50) not null default 'customer';`);
    this.addSql(`alter table external_mappings drop constraint external_mappings_customer_system_uq;`);
    this.addSql(`alter table external_mappings drop constraint external_mappings_system_external_uq;`);
    // Our id first, as in the key it replaces: a lookup by our record (the reconcile's anti joins
    // over every customer) stays a probe of this index even while a bulk import runs ahead of
    // the statistics; led by the entity type, a planner that believed the tables nearly empty
    // scanned every mapping of the system per customer instead (100,000 customers: a timeout).
    this.addSql(
      `alter table external_mappings add constraint external_mappings_internal_uq unique (internal_id, entity_type, external_system, external_object_type);`,
    );
    this.addSql(`alter table external_mappings add constraint external_mappings_external_uq unique (external_system, external_object_type, external_id);`);

    this.addSql(`alter table outbox add column entity_type varchar(50) not null default 'customer';`);
    this.addSql(`alter table dead_letters add column entity_type varchar(50);`);
    this.addSql(`update dead_letters set entity_type = 'customer';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table dead_letters drop column entity_type;`);
    this.addSql(`alter table outbox drop column entity_type;`);
    this.addSql(`delete from external_mappings where entity_type <> 'customer';`);
    this.addSql(`alter table external_mappings drop constraint external_mappings_external_uq;`);
    this.addSql(`alter table external_mappings drop constraint external_mappings_internal_uq;`);
    this.addSql(`alter table external_mappings add constraint external_mappings_system_external_uq unique (external_system, external_id);`);
    this.addSql(`alter table external_mappings add constraint external_mappings_customer_system_uq unique (internal_id, external_system);`);
    this.addSql(`alter table external_mappings drop column external_object_type;`);
    this.addSql(`alter table external_mappings drop column entity_type;`);
    this.addSql(`drop trigger customers_forget_mappings on customers;`);
    this.addSql(`drop function external_mappings_forget_customer();`);
    this.addSql(`alter table external_mappings add constraint external_mappings_internal_customer_id_fkey foreign key (internal_id) references customers(id) on delete cascade;`);
    this.addSql(`alter table external_mappings rename column internal_id to internal_customer_id;`);
  }
}
