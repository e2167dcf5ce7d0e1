import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdminRequest } from './admin/routes';
import { handleTokenRequest } from './auth/oauth';
import { sendJson, splitUrl } from './http/io';
import { resolveOptions, type EmulatorOptions } from './options';
import { PubSubServer } from './pubsub/server';
import { handleRestRequest } from './rest/pipeline';
import { EmulatorState } from './state';

export interface RunningEmulator {
  /** REST + OAuth base URL (the instance_url and login URL), e.g. http://127.0.0.1:12120 */
  url: string;
  port: number;
  /** Pub/Sub API endpoint as host:port, for a plain-text gRPC channel. */
  grpcAddress: string;
  grpcPort: number;
  /** Live in-memory state, for in-process tests. */
  state: EmulatorState;
  /** Stops both servers and ends open subscriptions. */
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
      : path === '/services/oauth2/token'
        ? handleTokenRequest(state, req, res)
        : path === '/services/data' || path.startsWith('/services/data/')
          ? handleRestRequest(state, req, res, path, query)
          : Promise.resolve(sendJson(res, 404, JSON.stringify([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }])));
    handled.catch((err: unknown) => {
      console.error('salesforce-emulator: request failed', err);
      sendJson(res, 500, JSON.stringify([{ errorCode: 'UNKNOWN_EXCEPTION', message: 'emulator internal error' }]));
    });
  });
  // Clients such as jsforce keep connections alive; do not let idle sockets hold close() open.
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${urlHost(resolved.host)}:${port}`;
  state.instanceUrl = url;

  const pubsub = new PubSubServer(state);
  let grpcPort: number;
  try {
    grpcPort = await pubsub.listen(resolved.host, resolved.grpcPort);
  } catch (err) {
    server.close();
    throw err;
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    grpcAddress: `${urlHost(resolved.host)}:${grpcPort}`,
    grpcPort,
    state,
    close() {
      closing ??= Promise.all([
        pubsub.close(),
        new Promise<void>((resolve, reject) => {
          server.close((err) => (err ? reject(err) : resolve()));
          server.closeAllConnections();
        }),
      ]).then(() => undefined);
      return closing;
    },
  };
}
