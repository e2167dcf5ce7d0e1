import { Migration } from '@mikro-orm/migrations';

/**
 * Customers get a phone and a postal address, and each mapping keeps the state last synced with
 * its record (not only its hash), so that a change arriving from there can be merged field by
 * field with ours. All nullable: existing rows have neither, and a mapping without a state falls
 * back to the whole-record rule.
 */
export class Migration20261202000000_customer_contact extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table customers add column phone varchar(40);`);
    this.addSql(`alter table customers add column address jsonb;`);
    this.addSql(`alter table external_mappings add column last_synced_state jsonb;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table external_mappings drop column last_synced_state;`);
    this.addSql(`alter table customers drop column address;`);
    this.addSql(`alter table customers drop column phone;`);
  }
}
