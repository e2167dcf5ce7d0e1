// Test-only helpers (excluded from the build): an emulator on ephemeral ports, jsforce logged in
// to it, a small admin client, and a plain-text gRPC Pub/Sub client that decodes events with avsc.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import avro from 'avsc';
import { Connection } from 'jsforce';
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, ORG_ID, PROTO_PATH, startEmulator, TOPIC_NAME, type EmulatorOptions, type RunningEmulator } from '../index';

export const API_VERSION = '64.0';

export function startTestEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ port: 0, grpcPort: 0, ...options });
}

/** A jsforce Connection logged in with the client credentials flow (the way the connector logs in). */
export async function login(emulator: RunningEmulator, config: { callOptions?: Record<string, string>; clientSecret?: string } = {}): Promise<Connection> {
  const conn = new Connection({
    oauth2: { loginUrl: emulator.url, clientId: DEFAULT_CLIENT_ID, clientSecret: config.clientSecret ?? DEFAULT_CLIENT_SECRET },
    version: API_VERSION,
    ...(config.callOptions === undefined ? {} : { callOptions: config.callOptions }),
  });
  await conn.authorize({ grant_type: 'client_credentials' });
  return conn;
}

export interface AdminResponse<T = unknown> {
  status: number;
  body: T;
}

export async function admin<T = unknown>(emulator: RunningEmulator, method: string, path: string, body?: unknown): Promise<AdminResponse<T>> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'Content-Type': 'application/json' };
  }
  const response = await fetch(`${emulator.url}/_emulator${path}`, init);
  return { status: response.status, body: (await response.json()) as T };
}

/** Raw REST call for what jsforce hides (status codes, headers). */
export async function rest(emulator: RunningEmulator, token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: unknown }> {
  const init: RequestInit = { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(`${emulator.url}/services/data/v${API_VERSION}/${path}`, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** Catches a rejected promise's error for assertions (fails if it resolves). */
export async function rejectionOf(promise: PromiseLike<unknown>): Promise<Error & { errorCode?: string; data?: unknown; code?: number; details?: string; metadata?: grpc.Metadata }> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the promise to reject');
}

// ---- Pub/Sub API -------------------------------------------------------------------------------

type PubSubClient = grpc.Client & {
  GetTopic(req: object, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, res: { schema_id: string; topic_name: string; can_subscribe: boolean }) => void): void;
  GetSchema(req: object, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, res: { schema_json: string; schema_id: string }) => void): void;
  Subscribe(md: grpc.Metadata): grpc.ClientDuplexStream<object, FetchResponse>;
};

export interface FetchResponse {
  events: Array<{ event: { id: string; schema_id: string; payload: Buffer }; replay_id: Buffer }>;
  latest_replay_id: Buffer;
  rpc_id: string;
  pending_num_requested: number;
}

export function pubSubClient(emulator: RunningEmulator): PubSubClient {
  const definition = protoLoader.loadSync(PROTO_PATH, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { eventbus: { v1: { PubSub: grpc.ServiceClientConstructor } } };
  return new pkg.eventbus.v1.PubSub(emulator.grpcAddress, grpc.credentials.createInsecure()) as unknown as PubSubClient;
}

/** The auth headers the Pub/Sub API expects, from a logged-in jsforce connection. */
export function authMetadata(conn: Connection): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set('accesstoken', conn.accessToken ?? '');
  md.set('instanceurl', conn.instanceUrl);
  md.set('tenantid', ORG_ID);
  return md;
}

export function getSchema(client: PubSubClient, md: grpc.Metadata): Promise<{ schemaId: string; type: avro.Type; json: string }> {
  return new Promise((resolve, reject) => {
    client.GetTopic({ topic_name: TOPIC_NAME }, md, (err, topic) => {
      if (err !== null) return reject(err);
      client.GetSchema({ schema_id: topic.schema_id }, md, (err2, schema) => {
        if (err2 !== null) return reject(err2);
        resolve({ schemaId: schema.schema_id, json: schema.schema_json, type: avro.Type.forSchema(JSON.parse(schema.schema_json) as avro.Schema) });
      });
    });
  });
}

/** One Subscribe stream that records every FetchResponse and lets a test wait for them. */
export class TestSubscriber {
  readonly responses: FetchResponse[] = [];
  error: grpc.ServiceError | undefined;
  private readonly stream: grpc.ClientDuplexStream<object, FetchResponse>;
  private waiters: Array<() => void> = [];

  constructor(client: PubSubClient, md: grpc.Metadata) {
    this.stream = client.Subscribe(md);
    this.stream.on('data', (res: FetchResponse) => {
      this.responses.push(res);
      this.wake();
    });
    this.stream.on('error', (err: grpc.ServiceError) => {
      this.error = err;
      this.wake();
    });
  }

  request(numRequested: number, first?: { replayPreset?: 'LATEST' | 'EARLIEST' | 'CUSTOM'; replayId?: Buffer; topicName?: string }): void {
    this.stream.write({
      topic_name: first?.topicName ?? TOPIC_NAME,
      replay_preset: first?.replayPreset ?? 'LATEST',
      replay_id: first?.replayId ?? Buffer.alloc(0),
      num_requested: numRequested,
    });
  }

  get events(): FetchResponse['events'] {
    return this.responses.flatMap((r) => r.events);
  }

  /** Resolves once `predicate` holds, re-checked on every response or error. */
  async until(predicate: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${this.events.length} events, ${this.responses.length} responses, error ${this.error?.message ?? 'none'}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  waitForEvents(n: number, timeoutMs?: number): Promise<void> {
    return this.until(() => this.events.length >= n, `${n} events`, timeoutMs);
  }

  waitForError(timeoutMs?: number): Promise<grpc.ServiceError> {
    return this.until(() => this.error !== undefined, 'an error', timeoutMs).then(() => this.error as grpc.ServiceError);
  }

  close(): void {
    this.stream.cancel();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A hand-moved wall clock for token expiry and event retention. */
export function fakeClock(start = Date.UTC(2026, 11, 1, 12, 0, 0)): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}
