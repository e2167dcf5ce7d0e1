import { Migration } from '@mikro-orm/migrations';

/**
 * An invoice whose customer a system does not hold yet waits for the customer's mapping there
 * (its push is skipped with the reason `customer not in <system> yet`, push-invoice.ts). Mappings
 * come into being on many paths — the outbound push, the bulk push, the inbound link or import,
 * backfill's set-based import, a reconcile repair, a person with SQL — so the one place that sees
 * them all wakes the waiting invoices: this trigger on external_mappings. In the statement that
 * inserts a customer's mapping, each live invoice of that customer that waited for that system
 * and has no mapping there gets an outbox `invoice.updated` for that system only (target_system),
 * keyed `invoice:<id>:v<version>:customer-linked:<system>`, as enqueueInvoiceChange builds it.
 * Committed with the mapping, or not at all: a crash cannot lose the wake-up.
 *
 * The race with an invoice deciding to wait at that moment is closed by an advisory lock per
 * (system, customer): the waiter holds it shared while it reads the mapping and records its skip,
 * this trigger takes it exclusively before it reads the skips. Either the waiter sees the mapping,
 * or this trigger sees the waiter's skip. Only customers that have an unmapped live invoice take it.
 */
export class Migration20261207000000_invoice_waits extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create or replace function external_mappings_wake_invoices() returns trigger language plpgsql as $$
      begin
        perform pg_advisory_xact_lock(hashtext('invoice-wait:' || w.external_system), w.internal_id)
           from (select distinct a.external_system, a.internal_id from added a
                  where a.entity_type = 'customer'
                    and exists (select 1 from invoices i where i.customer_id = a.internal_id and i.deleted_at is null
                                   and not exists (select 1 from external_mappings m where m.internal_id = i.id and m.entity_type = 'invoice' and m.external_system = a.external_system))
                  order by 1, 2) w;
        -- A new statement, so a new snapshot: it sees the skips of waiters that held the lock.
        insert into outbox (entity_type, aggregate_id, event_type, origin, envelope)
        select 'invoice', i.id, 'invoice.updated', 'internal', jsonb_build_object(
                 'id', gen_random_uuid(),
                 'type', 'invoice.updated',
                 'idempotency_key', 'invoice:' || i.id || ':v' || i.version || ':customer-linked:' || w.external_system,
                 'occurred_at', to_char(i.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                 'origin', 'internal',
                 'trace_id', gen_random_uuid()::text,
                 'target_system', w.external_system,
                 'payload', jsonb_build_object('invoice_id', i.id, 'customer_id', i.customer_id, 'version', i.version, 'status', i.status))
          from (select distinct external_system, internal_id from added where entity_type = 'customer') w
          join invoices i on i.customer_id = w.internal_id and i.deleted_at is null
         where not exists (select 1 from external_mappings m where m.internal_id = i.id and m.entity_type = 'invoice' and m.external_system = w.external_system)
           and exists (select 1 from sync_events e
                        where e.entity_type = 'invoice' and e.entity_id = i.id and e.external_system = w.external_system
                          and e.direction = 'outbound' and e.status = 'skipped'
                          and e.payload->>'reason' = 'customer not in ' || w.external_system || ' yet')
         order by i.id;
        return null;
      end $$;`);
    this.addSql(`drop trigger if exists external_mappings_wake_invoices on external_mappings;`);
    this.addSql(`
      create trigger external_mappings_wake_invoices after insert on external_mappings
        referencing new table as added for each statement execute function external_mappings_wake_invoices();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists external_mappings_wake_invoices on external_mappings;`);
    this.addSql(`drop function if exists external_mappings_wake_invoices();`);
  }
}
