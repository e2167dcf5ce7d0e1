// Test-only helpers (excluded from the build): an emulator on an ephemeral port, the real SDK
// pointed at it, a webhook receiver, and a tiny client for the admin routes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../index';

export function startTestEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ port: 0, ...options });
}

export function sdk(emulator: RunningEmulator, config: Stripe.StripeConfig = {}, key = 'sk_test_emulator'): Stripe {
  return new Stripe(key, { host: '127.0.0.1', port: emulator.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false, ...config });
}

export interface AdminResponse<T = unknown> {
  status: number;
  body: T;
}

export interface StripeErrorBody {
  error: { type: string; code?: string; message: string; param?: string };
}

export async function admin<T = unknown>(emulator: RunningEmulator, method: string, path: string, body?: unknown): Promise<AdminResponse<T>> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'Content-Type': 'application/json' };
  }
  const response = await fetch(`${emulator.url}${path}`, init);
  return { status: response.status, body: (await response.json()) as T };
}

/** Raw HTTP against /v1 for things the SDK hides (headers, exact bodies). */
export async function raw(emulator: RunningEmulator, method: string, path: string, options: { body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Headers; body: unknown }> {
  const init: RequestInit = {
    method,
    headers: { Authorization: 'Bearer sk_test_emulator', 'Content-Type': 'application/x-www-form-urlencoded', ...options.headers },
  };
  if (options.body !== undefined) init.body = options.body;
  const response = await fetch(`${emulator.url}${path}`, init);
  return { status: response.status, headers: response.headers, body: await response.json() };
}

export interface ReceivedWebhook {
  body: string;
  signature: string;
  contentType: string;
  at: number;
}

export interface Receiver {
  url: string;
  received: ReceivedWebhook[];
  /** Decides the status code for the n-th (0-based) request; default 200. */
  respond: (index: number) => number;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

export async function startReceiver(respond: (index: number) => number = () => 200): Promise<Receiver> {
  const received: ReceivedWebhook[] = [];
  const waiters: Array<() => void> = [];
  const receiver: Receiver = {
    url: '',
    received,
    respond,
    waitFor(count, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`expected ${count} webhooks, got ${received.length}`)), timeoutMs);
        const check = (): void => {
          if (received.length >= count) {
            clearTimeout(timer);
            resolve(received.slice());
          } else waiters.push(check);
        };
        check();
      });
    },
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const index = received.length;
      received.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: String(req.headers['stripe-signature'] ?? ''),
        contentType: String(req.headers['content-type'] ?? ''),
        at: Date.now(),
      });
      res.writeHead(receiver.respond(index)).end();
      for (const waiter of waiters.splice(0)) waiter();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  return receiver;
}

/** Catches a rejected promise's error for assertions (fails if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof Stripe.errors.StripeError) return err;
    throw err;
  }
  throw new Error('expected the promise to reject');
}
