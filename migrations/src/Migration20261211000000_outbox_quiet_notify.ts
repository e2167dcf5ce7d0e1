import { Migration } from '@mikro-orm/migrations';

/**
 * A NOTIFY serialises commits: Postgres holds one lock per database from a notifying
 * transaction's pre-commit until after its commit record is flushed, so every insert into the
 * outbox waited for the fsync of the one before it (no group commit). Measured with 10 sessions
 * inserting one row each: 6,000 commits/s without the notify, 2,000–2,400 with it.
 *
 * So the trigger notifies only when the relay sleeps. A relay that is publishing holds the
 * advisory lock 741852964 ("polling") and looks again every few milliseconds by itself; a writer
 * that cannot take that lock shared knows it will be seen and skips the NOTIFY. The race with a
 * relay that stops polling at that moment is closed by 741852965 ("barrier"): each writer holds it
 * shared until its commit, and the relay, after dropping "polling", takes it (without queueing,
 * outbox-relay.ts) before its last look. Either a writer took "polling" shared and notified, or it
 * committed before that last look. The keys are outbox-relay.ts's RELAY_POLLING and RELAY_BARRIER.
 */
export class Migration20261211000000_outbox_quiet_notify extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create or replace function outbox_notify() returns trigger language plpgsql as $$
      begin
        perform pg_advisory_xact_lock_shared(741852965);
        if pg_try_advisory_xact_lock_shared(741852964) then
          perform pg_notify('outbox', '');
        end if;
        return null;
      end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql(`
      create or replace function outbox_notify() returns trigger language plpgsql as $$
      begin perform pg_notify('outbox', ''); return null; end $$;`);
  }
}
