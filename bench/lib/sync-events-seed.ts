import type { Client } from 'pg';

export interface SeedShape {
  /** sync_events rows. */
  rows: number;
  customers: number;
  /** The trail spans this many days, ending now. */
  days: number;
}

/** 1 in 1000 outcomes, per status: mostly success, a few failures, rare conflicts and parkings. */
const STATUS_SQL = `case when h < 780 then 'success' when h < 920 then 'skipped' when h < 950 then 'retrying' when h < 970 then 'failed'
                         when h < 990 then 'pending' when h < 995 then 'conflict' else 'parked' end`;

/**
 * A catalog with its audit trail as months of traffic leave them, built in the database with
 * generate_series: `customers`, their mappings (Stripe for 95 %, Salesforce for 80 %), dead
 * letters, a reconciliation report, and `rows` sync_events over `days` days, id and time rising
 * together as in production, each about a customer picked by a multiplicative hash (so one
 * customer's rows spread over the whole span) — 5 % about invoices, a third with Salesforce, 2 % creates.
 */
export async function seedCatalog(db: Client, shape: SeedShape): Promise<void> {
  await db.query(
    `insert into customers (name, email, created_at, updated_at)
     select 'Customer ' || g, 'c' || g || '@bench.example', now() - make_interval(days => $2) + g * interval '1 second', now() - interval '1 day'
       from generate_series(1, $1::int) g`,
    [shape.customers, shape.days],
  );
  await db.query(
    `insert into external_mappings (internal_id, external_system, external_object_type, external_id, last_synced_hash, last_synced_at, last_source_ts)
     select g, 'stripe', 'customer', 'cus_' || g, md5(g::text), now(), 1800000000 from generate_series(1, $1::int) g where g % 20 <> 0
     union all
     select g, 'salesforce', 'Account', '001' || lpad(g::text, 15, '0'), md5(g::text), now(), 1800000000 from generate_series(1, $1::int) g where g % 5 <> 0`,
    [shape.customers],
  );
  await db.query(
    `insert into dead_letters (source_topic, message_key, external_system, entity_type, reason, error_code, attempts, envelope, status, created_at, resolved_at)
     select 'customer.events', (1 + g * 37 % $1::int)::text, 'stripe', 'customer', 'Stripe answered 400 (email_invalid)', 'email_invalid', 1,
            jsonb_build_object('type', 'customer.updated', 'payload', jsonb_build_object('customer_id', 1 + g * 37 % $1::int)),
            case when g % 5 < 2 then 'parked' when g % 5 < 4 then 'replayed' else 'discarded' end, now() - make_interval(mins => g), case when g % 5 >= 2 then now() end
       from generate_series(1, 5000) g`,
    [shape.customers],
  );
  await db.query(
    `insert into sync_cursors (name, value) values ('reconcile:stripe:last_report',
       jsonb_build_object('id', 'r1', 'system', 'stripe', 'finished_at', now(), 'drift_count', 3, 'by_kind', jsonb_build_object('field_mismatch', 3), 'drifts', '[]'::jsonb))`,
  );
}

/** One chunk of sync_events rows, ids `from`..`to` of `shape.rows`. */
export async function seedSyncEvents(db: Client, shape: SeedShape, from: number, to: number): Promise<void> {
  await db.query(
    `insert into sync_events (id, event_id, event_type, entity_type, entity_id, external_system, status, payload, error_message, retry_count, created_at, processed_at, direction, trace_id)
     select g, gen_random_uuid(), case when g % 50 = 0 then 'customer.created' when g % 50 = 1 then 'customer.deleted' else 'customer.updated' end,
            case when g % 20 = 0 then 'invoice' else 'customer' end, c, case when g % 3 = 0 then 'salesforce' else 'stripe' end, s.status,
            jsonb_build_object('message_id', md5(g::text), 'action', case when g % 50 = 0 then 'create' else 'update' end, 'origin', 'internal', 'external_id', 'cus_' || c),
            case when s.status in ('failed', 'retrying', 'parked') then 'Stripe answered 500 (api_error)' end, case when s.status = 'retrying' then 1 + g % 5 else 0 end,
            t.at, t.at + interval '80 milliseconds', case when g % 9 < 5 then 'outbound' else 'inbound' end, md5((g * 31)::text)
       from generate_series($1::int, $2::int) g
       cross join lateral (select (1 + (g::bigint * 7919) % $4::int)::int as c, (g::bigint * 2654435761 % 1000)::int as h) k
       cross join lateral (select ${STATUS_SQL} as status) s
       cross join lateral (select now() - make_interval(days => $5) + (g - 1) * (make_interval(days => $5) / $3::float8) as at) t`,
    [from, to, shape.rows, shape.customers, shape.days],
  );
}
