import { Migration } from '@mikro-orm/migrations';

/**
 * Who made each change: the name of the API key it came through, or the system it came from
 * (docs/operations.md, "Who changed it"). A plain nullable column, so the upgrade rewrites no row
 * (rows from before say nobody known) and composes with the table's later partitioning.
 */
export class Migration20261205000000_sync_event_actor extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table sync_events add column actor varchar(50);`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table sync_events drop column actor;`);
  }
}
