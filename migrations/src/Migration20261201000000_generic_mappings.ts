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
    // An invoice's id is no customer id: the reference to customers cannot stay. Customers are
    // never deleted (tombstones), so the cascade it carried never ran outside tests.
    this.addSql(`alter table external_mappings drop constraint external_mappings_internal_customer_id_fkey;`);
    this.addSql(`alter table external_mappings add column entity_type varchar(50) not null default 'customer';`);
    this.addSql(`alter table external_mappings add column external_object_type varchar(50) not null default 'customer';`);
    this.addSql(`alter table external_mappings drop constraint external_mappings_customer_system_uq;`);
    this.addSql(`alter table external_mappings drop constraint external_mappings_system_external_uq;`);
    this.addSql(
      `alter table external_mappings add constraint external_mappings_internal_uq unique (entity_type, internal_id, external_system, external_object_type);`,
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
    this.addSql(`alter table external_mappings add constraint external_mappings_internal_customer_id_fkey foreign key (internal_id) references customers(id) on delete cascade;`);
    this.addSql(`alter table external_mappings rename column internal_id to internal_customer_id;`);
  }
}
