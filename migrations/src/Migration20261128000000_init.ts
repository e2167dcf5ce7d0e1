import { Migration } from '@mikro-orm/migrations';

/** The catalog, its mappings to external systems, the audit trail, the outbox and the sync bookkeeping. */
export class Migration20261128000000_init extends Migration {
  override async up(): Promise<void> {
    // Deletion is a tombstone (deleted_at): the outbound worker must still read what it deletes,
    // and the email becomes free for a new customer at once (the unique index skips tombstones).
    this.addSql(`
      create table customers (
        id serial primary key,
        name varchar(255) not null check (length(btrim(name)) between 1 and 255),
        email varchar(255) not null check (email = lower(email)),
        version integer not null default 1,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        deleted_at timestamptz
      );`);
    this.addSql(`create unique index customers_email_live_uq on customers (email) where deleted_at is null;`);
    this.addSql(`create index customers_live_id_idx on customers (id) where deleted_at is null;`);

    this.addSql(`
      create table external_mappings (
        id serial primary key,
        internal_customer_id integer not null references customers(id) on delete cascade,
        external_system varchar(50) not null,
        external_id varchar(255) not null,
        created_at timestamptz not null default now(),
        last_synced_hash varchar(64),
        last_synced_at timestamptz,
        last_source_ts bigint,
        constraint external_mappings_system_external_uq unique (external_system, external_id),
        constraint external_mappings_customer_system_uq unique (internal_customer_id, external_system)
      );`);

    this.addSql(`
      create table sync_events (
        id serial primary key,
        event_id uuid not null unique,
        event_type varchar(50) not null,
        entity_type varchar(50) not null,
        entity_id integer not null,
        external_system varchar(50),
        status varchar(50) not null default 'pending',
        payload jsonb,
        error_message text,
        retry_count integer not null default 0,
        created_at timestamptz not null default now(),
        processed_at timestamptz,
        direction varchar(10),
        trace_id varchar(128)
      );`);
    this.addSql(`create index sync_events_entity_idx on sync_events (entity_type, entity_id, created_at desc);`);
    this.addSql(`create index sync_events_open_idx on sync_events (status, created_at) where status in ('pending', 'failed', 'retrying', 'parked');`);
    this.addSql(`create index sync_events_created_idx on sync_events (created_at desc);`);

    this.addSql(`
      create table outbox (
        id bigserial primary key,
        aggregate_id integer not null,
        event_type varchar(50) not null,
        origin varchar(20) not null,
        envelope jsonb not null,
        created_at timestamptz not null default now(),
        published_at timestamptz
      );`);
    this.addSql(`create index outbox_unpublished_idx on outbox (id) where published_at is null;`);
    // One notification per inserting statement wakes the relay; the payload is not needed.
    this.addSql(`
      create function outbox_notify() returns trigger language plpgsql as $$
      begin perform pg_notify('outbox', ''); return null; end $$;`);
    this.addSql(`create trigger outbox_notify after insert on outbox for each statement execute function outbox_notify();`);

    this.addSql(`
      create table dead_letters (
        id serial primary key,
        source_topic varchar(100) not null,
        message_key varchar(255),
        external_system varchar(50),
        reason text not null,
        error_code varchar(100),
        attempts integer not null default 0,
        envelope jsonb not null,
        status varchar(20) not null default 'parked' check (status in ('parked', 'replayed', 'discarded')),
        trace_id varchar(128),
        created_at timestamptz not null default now(),
        resolved_at timestamptz,
        resolution_note text
      );`);
    this.addSql(`create index dead_letters_status_idx on dead_letters (status, created_at desc);`);

    this.addSql(`
      create table processed_events (
        external_system varchar(50) not null,
        event_id varchar(255) not null,
        processed_at timestamptz not null default now(),
        primary key (external_system, event_id)
      );`);

    this.addSql(`
      create table sync_cursors (
        name varchar(100) primary key,
        value jsonb not null,
        updated_at timestamptz not null default now()
      );`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists sync_cursors, processed_events, dead_letters, outbox, sync_events, external_mappings, customers cascade;`);
    this.addSql(`drop function if exists outbox_notify();`);
  }
}
