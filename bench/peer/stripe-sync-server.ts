/**
 * The peer of the webhook benchmark as its own process: `@supabase/stripe-sync-engine`'s StripeSync
 * behind `POST /webhooks`, as the peer's own server does it (the raw body and Stripe-Signature to
 * `processWebhook`, which verifies and writes the object to Postgres before the answer: 200
 * `{"received":true}`, 400 with the message on any failure). On node:http rather than the peer's
 * Fastify: less framework per request, which can only make the peer faster. Configured as the
 * peer's server defaults (schema `stripe`, 10 connections, API version 2020-08-27, objects taken
 * from the webhook, not re-fetched) and quiet (no logger). Its Stripe client goes to
 * STRIPE_API_BASE (the emulator): the SDK client it builds itself has no host option.
 * Env: DATABASE_URL, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, STRIPE_API_BASE, PORT.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { StripeSync } from '@supabase/stripe-sync-engine';
import Stripe from 'stripe';

const API_VERSION = '2020-08-27';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

function main() {
  const secretKey = required('STRIPE_SECRET_KEY');
  const base = new URL(required('STRIPE_API_BASE'));
  const sync = new StripeSync({
    poolConfig: { connectionString: required('DATABASE_URL'), max: 10 },
    schema: 'stripe',
    stripeSecretKey: secretKey,
    stripeWebhookSecret: required('STRIPE_WEBHOOK_SECRET'),
    stripeApiVersion: API_VERSION,
  });
  sync.stripe = new Stripe(secretKey, {
    // The peer pins an older version than this SDK's types know.
    apiVersion: API_VERSION as Stripe.LatestApiVersion,
    host: base.hostname,
    port: Number(base.port),
    protocol: base.protocol === 'https:' ? 'https' : 'http',
    appInfo: { name: 'Stripe Postgres Sync' },
  });

  const server = createServer((req, res) => {
    const reply = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (req.method === 'GET' && req.url === '/health') return reply(200, '{"ok":true}');
    if (req.method !== 'POST' || req.url !== '/webhooks') {
      req.resume();
      return reply(404, '{"error":"not found"}');
    }
    readBody(req)
      .then((body) => sync.processWebhook(body, req.headers['stripe-signature'] as string | undefined))
      .then(
        () => reply(200, '{"received":true}'),
        (err: unknown) => reply(400, `Webhook Error: ${err instanceof Error ? err.message : 'Unknown error'}`, 'text/plain'),
      );
  });
  server.listen(Number(required('PORT')), '127.0.0.1');
  process.once('SIGTERM', () => {
    server.close(() => void sync.postgresClient.close().finally(() => process.exit(0)));
  });
}

main();
