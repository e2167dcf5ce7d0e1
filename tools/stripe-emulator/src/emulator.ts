import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdminRequest } from './admin/routes';
import { handleApiRequest } from './api/pipeline';
import { sendJson, splitUrl } from './http/io';
import { resolveOptions, type EmulatorOptions } from './options';
import { EmulatorState } from './state';
import { unrecognizedUrl } from './stripe/errors';

export interface RunningEmulator {
  /** Base URL, e.g. http://127.0.0.1:12111 */
  url: string;
  port: number;
  /** Live in-memory state, for in-process tests (stores, faults, webhook dispatcher, stats). */
  state: EmulatorState;
  /** Stops accepting requests, drops open connections and pending webhook deliveries. */
  close(): Promise<void>;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const resolved = resolveOptions(options);
  const state = new EmulatorState(resolved);

  const server = http.createServer((req, res) => {
    const { path, query } = splitUrl(req.url ?? '/');
    const handled = path.startsWith('/_emulator/')
      ? handleAdminRequest(state, req, res, path, query)
      : path === '/v1' || path.startsWith('/v1/')
        ? handleApiRequest(state, req, res, path, query)
        : Promise.resolve(sendJson(res, 404, JSON.stringify(unrecognizedUrl(req.method ?? 'GET', path).body())));
    handled.catch((err: unknown) => {
      console.error('stripe-emulator: request failed', err);
      sendJson(res, 500, JSON.stringify({ error: { type: 'api_error', message: 'emulator internal error' } }));
    });
  });
  // Clients such as the SDK keep connections alive; do not let idle sockets hold close() open.
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost(resolved.host)}:${port}`,
    port,
    state,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        state.webhooks.close();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
