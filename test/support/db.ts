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
