import * as grpc from '@grpc/grpc-js';
import { newRpcId } from '../ids';

/**
 * A gRPC error as the Pub/Sub API sends it: the status, a message ending in "rpcId: …", and the
 * rpc id (plus Salesforce's custom error code, where documented) in the trailers.
 */
export function pubSubError(code: grpc.status, message: string, errorCode?: string): Partial<grpc.StatusObject> & { code: grpc.status; details: string } {
  const rpcId = newRpcId();
  const metadata = new grpc.Metadata();
  metadata.set('rpc-id', rpcId);
  if (errorCode !== undefined) metadata.set('error-code', errorCode);
  return { code, details: `${message} rpcId: ${rpcId}`, metadata };
}

export const REPLAY_ID_CORRUPTED = 'sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted';
