import { Migration } from '@mikro-orm/migrations';

/**
 * When the change a sync attempt carries was made at its source: the envelope's occurred_at of a
 * change of ours going out, the source's timestamp of an external change coming in. With
 * processed_at it gives time-to-sync (GET /api/v1/sync/analytics). A plain nullable column: the
 * upgrade rewrites no row (older rows have no time-to-sync) and composes with the table's
 * partitioning.
 */
export class Migration20261209000000_sync_event_source_at extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table sync_events add column source_at timestamptz;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table sync_events drop column source_at;`);
  }
}
