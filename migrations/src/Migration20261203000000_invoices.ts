import { Migration } from '@mikro-orm/migrations';

/**
 * The invoice catalog: invoices of a customer and their lines. Money is integer minor units
 * (bigint columns, never numeric or float), and the totals are the lines' sum, which the checks
 * hold the rows to whatever writes them. A draft's deletion is a tombstone, as a customer's is:
 * the outbound push must still read what it deletes (a draft already in Stripe).
 */
export class Migration20261203000000_invoices extends Migration {
  override async up(): Promise<void> {
    // Number.MAX_SAFE_INTEGER: every amount is read into a JavaScript number, so none may exceed it.
    const safe = '9007199254740991';
    this.addSql(`
      create table invoices (
        id serial primary key,
        customer_id integer not null references customers(id) on delete restrict,
        currency char(3) not null check (currency ~ '^[a-z]{3}$'),
        status varchar(20) not null default 'draft' check (status in ('draft', 'open', 'paid', 'void', 'uncollectible')),
        collection_method varchar(30) not null check (collection_method in ('charge_automatically', 'send_invoice')),
        due_date date,
        description varchar(1000),
        number varchar(100),
        amount_due bigint not null default 0 check (amount_due between 0 and ${safe}),
        amount_paid bigint not null default 0 check (amount_paid between 0 and amount_due),
        amount_remaining bigint not null default 0,
        hosted_invoice_url text,
        invoice_pdf text,
        paid_at timestamptz,
        version integer not null default 1,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        deleted_at timestamptz,
        constraint invoices_due_date_ck check ((collection_method = 'send_invoice') = (due_date is not null)),
        constraint invoices_remaining_ck check (amount_remaining = amount_due - amount_paid),
        constraint invoices_paid_at_ck check (paid_at is null or status = 'paid'),
        constraint invoices_deleted_draft_ck check (deleted_at is null or status = 'draft')
      );`);
    this.addSql(`create index invoices_customer_status_idx on invoices (customer_id, status);`);
    this.addSql(`
      create table invoice_lines (
        id serial primary key,
        invoice_id integer not null references invoices(id) on delete cascade,
        description varchar(500) not null check (length(btrim(description)) between 1 and 500),
        quantity integer not null check (quantity between 1 and 1000000),
        unit_amount bigint not null check (unit_amount between 0 and 99999999),
        position integer not null check (position >= 0),
        constraint invoice_lines_position_uq unique (invoice_id, position)
      );`);
  }

  override async down(): Promise<void> {
    // The code before this migration knows no invoice: its relay would stop at an invoice's outbox row.
    this.addSql(`delete from outbox where entity_type = 'invoice';`);
    this.addSql(`delete from external_mappings where entity_type = 'invoice';`);
    this.addSql(`drop table if exists invoice_lines, invoices;`);
  }
}
