import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** Salesforce's pubsub_api.proto, shipped beside src/ and dist/ so both find it. */
export const PROTO_PATH = path.join(__dirname, '..', '..', 'proto', 'pubsub_api.proto');

// keepCase: messages use the proto's snake_case names (replay_id, num_requested), as on the wire.
export const PROTO_OPTIONS: protoLoader.Options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

export function loadPubSubService(): grpc.ServiceDefinition {
  const definition = protoLoader.loadSync(PROTO_PATH, PROTO_OPTIONS);
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { eventbus: { v1: { PubSub: grpc.ServiceClientConstructor } } };
  return pkg.eventbus.v1.PubSub.service;
}

/** Fields of the messages the emulator reads and writes (proto-loader's plain objects). */
export interface FetchRequest {
  topic_name: string;
  replay_preset: 'LATEST' | 'EARLIEST' | 'CUSTOM';
  replay_id: Buffer;
  num_requested: number;
  auth_refresh: string;
}

export interface ConsumerEvent {
  event: { id: string; schema_id: string; payload: Buffer; headers: Array<{ key: string; value: Buffer }> };
  replay_id: Buffer;
}

export interface FetchResponse {
  events: ConsumerEvent[];
  latest_replay_id: Buffer;
  rpc_id: string;
  pending_num_requested: number;
}
