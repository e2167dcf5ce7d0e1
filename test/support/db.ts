import { Client } from 'pg';

/** Empties every table of this worker's database, so each test starts from nothing. */
export async function resetDatabase(databaseUrl = process.env.DATABASE_URL!): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      'truncate invoice_lines, invoices, customers, external_mappings, sync_events, outbox, dead_letters, processed_events, sync_cursors restart identity cascade',
    );
  } finally {
    await client.end();
  }
}

export async function query<T extends Record<string, unknown>>(sql: string, params: unknown[] = [], databaseUrl = process.env.DATABASE_URL!): Promise<T[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * A database of this worker's own besides its usual one (`<worker database>_<suffix>`), created
 * empty (any earlier one dropped), with a client on it: for tests that migrate from scratch, or
 * reshape or age the schema (partitions made and dropped as if months passed) where other tests
 * must not see it. `drop` closes the client and removes the database.
 */
export async function scratchDatabase(suffix: string): Promise<{ url: string; db: Client; drop: () => Promise<void> }> {
  const base = new URL(process.env.DATABASE_URL!);
  const name = `${base.pathname.slice(1)}_${suffix}`;
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: Object.assign(new URL(base.toString()), { pathname: '/postgres' }).toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`drop database if exists "${name}" with (force)`);
  await admin(`create database "${name}"`);
  const url = Object.assign(new URL(base.toString()), { pathname: `/${name}` }).toString();
  const db = new Client({ connectionString: url });
  await db.connect();
  return {
    url,
    db,
    drop: async () => {
      await db.end();
      await admin(`drop database if exists "${name}" with (force)`);
    },
  };
}

/** Customer 1, Ada, linked to Stripe's cus_1, last synced with the state `hash` at `sourceTs` (seconds). */
export async function seedLinkedAda(hash: string, sourceTs: number): Promise<void> {
  await resetDatabase();
  await query(`insert into customers (name, email) values ('Ada', 'ada@x.io')`);
  await query(`insert into external_mappings (internal_id, external_system, external_id, last_synced_hash, last_source_ts) values (1, 'stripe', 'cus_1', $1, $2)`, [hash, sourceTs]);
}
