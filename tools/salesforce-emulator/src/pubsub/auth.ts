import * as grpc from '@grpc/grpc-js';
import { ORG_ID } from '../ids';
import type { EmulatorState } from '../state';
import { pubSubError } from './errors';

const first = (metadata: grpc.Metadata, key: string): string | undefined => {
  const value = metadata.get(key)[0];
  return value === undefined ? undefined : value.toString();
};

/** Checks the `accesstoken`, `instanceurl` and `tenantid` call metadata; returns the error to send, or null. */
export function authenticateCall(state: EmulatorState, metadata: grpc.Metadata): ReturnType<typeof pubSubError> | null {
  const token = first(metadata, 'accesstoken');
  const instanceUrl = first(metadata, 'instanceurl');
  const tenant = first(metadata, 'tenantid');
  if (token === undefined || instanceUrl === undefined || tenant === undefined) {
    return pubSubError(grpc.status.UNAUTHENTICATED, 'The accesstoken, instanceurl and tenantid headers are required.');
  }
  if (!state.sessions.isValid(token)) return pubSubError(grpc.status.UNAUTHENTICATED, 'The session is invalid or has expired.');
  if (tenant !== ORG_ID && tenant !== ORG_ID.slice(0, 15)) return pubSubError(grpc.status.UNAUTHENTICATED, `The tenantid ${tenant} does not match the access token's org.`);
  return null;
}
