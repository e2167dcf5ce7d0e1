import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from '../http/io';
import { INTEGRATION_USER_ID, ORG_ID } from '../ids';
import type { EmulatorState } from '../state';

function oauthError(res: ServerResponse, status: number, error: string, description: string): void {
  sendJson(res, status, JSON.stringify({ error, error_description: description }));
}

/** POST /services/oauth2/token with the client credentials flow, in Salesforce's answer shape. */
export async function handleTokenRequest(state: EmulatorState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  state.stats.countRequest('POST /services/oauth2/token');
  if (state.faults.settings.outage) return oauthError(res, 503, 'server_unavailable', 'Server temporarily unavailable');
  if (req.method !== 'POST') return oauthError(res, 405, 'invalid_request', 'must use HTTP POST');
  const form = new URLSearchParams(await readBody(req));
  const grant = form.get('grant_type');
  if (grant === null) return oauthError(res, 400, 'invalid_request', 'grant type not specified');
  if (grant !== 'client_credentials') return oauthError(res, 400, 'unsupported_grant_type', 'grant type not supported');
  if (form.get('client_id') !== state.options.clientId || form.get('client_secret') !== state.options.clientSecret) {
    return oauthError(res, 400, 'invalid_client', 'invalid client credentials');
  }
  const session = state.sessions.issue();
  const id = `${state.instanceUrl}/id/${ORG_ID}/${INTEGRATION_USER_ID}`;
  const issuedAt = String(session.issuedAt);
  // Salesforce signs id + issued_at with the consumer secret so clients can check the answer.
  const signature = createHmac('sha256', state.options.clientSecret).update(id + issuedAt).digest('base64');
  sendJson(res, 200, JSON.stringify({
    access_token: session.token,
    signature,
    scope: 'api',
    instance_url: state.instanceUrl,
    id,
    token_type: 'Bearer',
    issued_at: issuedAt,
  }));
}
