import * as grpc from '@grpc/grpc-js';
import { TOPIC_NAME } from '../cdc/schema';
import { newRpcId, ORG_ID } from '../ids';
import type { EmulatorState } from '../state';
import { authenticateCall } from './auth';
import { pubSubError } from './errors';
import { loadPubSubService } from './proto';
import { Subscription, type SubscribeCall } from './subscription';

type Unary<Req, Res> = grpc.handleUnaryCall<Req, Res>;

/** The Pub/Sub API: GetTopic, GetSchema and Subscribe for /data/AccountChangeEvent; publishing is not emulated. */
export class PubSubServer {
  readonly server = new grpc.Server();
  private readonly subscriptions = new Set<Subscription>();

  constructor(private readonly state: EmulatorState) {
    const unimplemented = (name: string) => (call: { emit?: unknown }, callback?: grpc.sendUnaryData<unknown>): void => {
      const error = pubSubError(grpc.status.UNIMPLEMENTED, `${name} is not emulated.`);
      if (callback !== undefined) callback(error);
      else (call as grpc.ServerDuplexStream<unknown, unknown>).emit('error', error);
    };
    this.server.addService(loadPubSubService(), {
      GetTopic: this.getTopic,
      GetSchema: this.getSchema,
      Subscribe: (call: SubscribeCall) => {
        const subscription: Subscription = new Subscription(this.state, call, () => this.subscriptions.delete(subscription));
        this.subscriptions.add(subscription);
      },
      Publish: unimplemented('Publish'),
      PublishStream: unimplemented('PublishStream'),
      ManagedSubscribe: unimplemented('ManagedSubscribe'),
    });
  }

  get activeSubscriptions(): number {
    return this.subscriptions.size;
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) => (err === null ? resolve(bound) : reject(err)));
    });
  }

  close(): Promise<void> {
    for (const subscription of [...this.subscriptions]) subscription.close();
    return new Promise((resolve) => {
      this.server.tryShutdown(() => resolve());
      // Streams that do not end promptly should not hold shutdown open.
      setTimeout(() => this.server.forceShutdown(), 1000).unref();
    });
  }

  private readonly getTopic: Unary<{ topic_name: string }, unknown> = (call, callback) => {
    const authError = authenticateCall(this.state, call.metadata);
    if (authError !== null) return callback(authError);
    if (call.request.topic_name !== TOPIC_NAME) return callback(pubSubError(grpc.status.NOT_FOUND, `The topic ${call.request.topic_name} does not exist or you do not have access to it.`));
    callback(null, { topic_name: TOPIC_NAME, tenant_guid: ORG_ID, can_publish: false, can_subscribe: true, schema_id: this.state.schema.id, rpc_id: newRpcId() });
  };

  private readonly getSchema: Unary<{ schema_id: string }, unknown> = (call, callback) => {
    const authError = authenticateCall(this.state, call.metadata);
    if (authError !== null) return callback(authError);
    if (call.request.schema_id !== this.state.schema.id) return callback(pubSubError(grpc.status.NOT_FOUND, `No schema with id ${call.request.schema_id}.`));
    callback(null, { schema_json: this.state.schema.json, schema_id: this.state.schema.id, rpc_id: newRpcId() });
  };
}
