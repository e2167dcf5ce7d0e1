import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import avro from 'avsc';
import type { AvroField } from './bitmap';

/**
 * Salesforce's pubsub_api.proto ships in this package's proto/ folder; src/salesforce and
 * dist/salesforce are both two levels below the package root, so one relative path serves ts-jest
 * and the built code.
 */
export const PROTO_PATH = path.resolve(__dirname, '..', '..', 'proto', 'pubsub_api.proto');

/** Where the Pub/Sub API listens, and whether it speaks TLS (see SALESFORCE_PUBSUB_URL). */
export interface PubSubTarget {
  address: string;
  tls: boolean;
}

export interface FetchRequest {
  topic_name?: string;
  replay_preset?: 'LATEST' | 'EARLIEST' | 'CUSTOM';
  replay_id?: Buffer;
  num_requested: number;
}

export interface ConsumerEvent {
  event: { id: string; schema_id: string; payload: Buffer };
  replay_id: Buffer;
}

export interface FetchResponse {
  events: ConsumerEvent[];
  latest_replay_id: Buffer;
  rpc_id: string;
  pending_num_requested: number;
}

export interface PubSubClient extends grpc.Client {
  GetSchema(req: { schema_id: string }, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, res: { schema_json: string; schema_id: string }) => void): void;
  Subscribe(md: grpc.Metadata): grpc.ClientDuplexStream<FetchRequest, FetchResponse>;
}

export function pubSubClient(target: PubSubTarget): PubSubClient {
  const definition = protoLoader.loadSync(PROTO_PATH, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { eventbus: { v1: { PubSub: grpc.ServiceClientConstructor } } };
  const credentials = target.tls ? grpc.credentials.createSsl() : grpc.credentials.createInsecure();
  return new pkg.eventbus.v1.PubSub(target.address, credentials) as unknown as PubSubClient;
}

export function sessionMetadata(session: { accessToken: string; instanceUrl: string; tenantId: string }): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set('accesstoken', session.accessToken);
  md.set('instanceurl', session.instanceUrl);
  md.set('tenantid', session.tenantId);
  return md;
}

export interface EventSchema {
  type: avro.Type;
  fields: AvroField[];
}

/** Event schemas by id: an id names one schema forever, so each is fetched once per process. */
export class SchemaCache {
  private readonly byId = new Map<string, Promise<EventSchema>>();

  constructor(private readonly client: PubSubClient) {}

  get(schemaId: string, md: grpc.Metadata): Promise<EventSchema> {
    let schema = this.byId.get(schemaId);
    if (schema === undefined) {
      schema = new Promise<EventSchema>((resolve, reject) => {
        this.client.GetSchema({ schema_id: schemaId }, md, (err, res) => {
          if (err !== null) return reject(err);
          const json = JSON.parse(res.schema_json) as avro.Schema & { fields: AvroField[] };
          resolve({ type: avro.Type.forSchema(json), fields: json.fields });
        });
      });
      // A failed fetch is not cached: the next event asks again.
      schema.catch(() => this.byId.delete(schemaId));
      this.byId.set(schemaId, schema);
    }
    return schema;
  }
}
