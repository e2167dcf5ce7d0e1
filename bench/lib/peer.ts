import path from 'node:path';
import { runMigrations } from '@supabase/stripe-sync-engine';
import { Client } from 'pg';
import { spawnMeasured, type BenchProcess } from './app-process';
import { ROOT } from './paths';
import { emptyDatabase } from './stack';
import { STRIPE_KEY, WEBHOOK_SECRET } from './stripe-webhooks';

/** The peer: @supabase/stripe-sync-engine, the single-purpose Stripe → Postgres sync the webhook benchmark compares us with. */
export const PEER_NAME = 'stripe-sync-engine';
export const PEER_SCHEMA = 'stripe';
/** Its webhook route (bench/peer/stripe-sync-server.ts). */
export const PEER_WEBHOOK_PATH = '/webhooks';

/** A fresh database of the peer's own with the peer's migrations (its 37 files, schema `stripe`): its URL. */
export async function peerDatabase(database: string): Promise<string> {
  const databaseUrl = await emptyDatabase(database);
  // runMigrations logs a failure instead of throwing it (and we pass no logger): check the outcome.
  await runMigrations({ databaseUrl, schema: PEER_SCHEMA });
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ t: string | null }>(`select to_regclass('${PEER_SCHEMA}.customers')::text as t`);
    if (!rows[0]?.t) throw new Error(`the peer's migrations did not create ${PEER_SCHEMA}.customers in ${database}`);
  } finally {
    await db.end();
  }
  return databaseUrl;
}

/** The peer's webhook server as its own process, verifying with our WEBHOOK_SECRET, its Stripe client on `stripeApiBase`. */
export function startPeer(databaseUrl: string, port: number, stripeApiBase: string): Promise<BenchProcess> {
  return spawnMeasured({
    name: PEER_NAME,
    // Compiled beside this file (bench/tsconfig.json's outDir).
    script: path.relative(ROOT, path.join(__dirname, '..', 'peer', 'stripe-sync-server.js')),
    port,
    readyPath: '/health',
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      STRIPE_SECRET_KEY: STRIPE_KEY,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_BASE: stripeApiBase,
      PORT: String(port),
    },
  });
}
