import type { IncomingMessage, ServerResponse } from 'node:http';
import { header, readBody, sendJson, sleep } from '../http/io';
import type { IdempotencyClaim } from '../idempotency';
import { newRequestId } from '../ids';
import type { EmulatorState } from '../state';
import { apiError, invalidRequest, rateLimited, StripeApiError, unrecognizedUrl } from '../stripe/errors';
import { parseForm, type ParamMap } from '../stripe/form';
import { authenticate } from './auth';
import { idempotencyKeyInUse, idempotencyKeyTooLong, idempotencyMismatch } from './idempotency-errors';
import { matchApiRoute, type RouteMatch } from './routes';
import type { ApiResult } from './types';

function execute(state: EmulatorState, match: RouteMatch, params: ParamMap, requestId: string, idempotencyKey: string | undefined): ApiResult {
  try {
    return match.route.handle({ state, params, id: match.id, origin: { requestId, idempotencyKey: idempotencyKey ?? null } });
  } catch (err) {
    if (err instanceof StripeApiError) return { status: err.status, body: err.body() };
    // A bug in the emulator, not an emulated failure: make it loud.
    console.error('stripe-emulator: unexpected error', err);
    return { status: 500, body: apiError(500, 'An unknown error occurred').body() };
  }
}

/**
 * One /v1 request, in the order Stripe's edge would apply things: outage, rate limit, auth,
 * injected errors (before any state change), idempotency, then the handler. Faults never
 * touch state and their 5xx/429 answers are never stored against an idempotency key.
 */
export async function handleApiRequest(state: EmulatorState, req: IncomingMessage, res: ServerResponse, path: string, query: string): Promise<void> {
  const method = req.method ?? 'GET';
  const match = matchApiRoute(method, path);
  state.stats.countRequest(match?.route.key ?? 'unmatched');
  const faults = state.faults.settings;
  const requestId = newRequestId();
  const headers: Record<string, string> = { 'Request-Id': requestId, 'Stripe-Version': header(req, 'stripe-version') ?? state.apiVersion };
  const idempotencyKey = method === 'POST' || method === 'DELETE' ? header(req, 'idempotency-key') : undefined;
  if (idempotencyKey !== undefined) headers['Idempotency-Key'] = idempotencyKey;

  let delayed = false;
  const addLatency = async (): Promise<void> => {
    if (delayed || faults.latency_ms <= 0) return;
    delayed = true;
    await sleep(faults.latency_ms);
  };
  const fail = async (err: StripeApiError): Promise<void> => {
    await addLatency();
    sendJson(res, err.status, JSON.stringify(err.body()), { ...headers, ...err.headers });
  };

  if (faults.outage) {
    state.stats.errorsInjected++;
    if (faults.outage_mode === 'refuse') {
      req.socket.destroy();
      return;
    }
    return fail(apiError(503, 'Stripe is temporarily unavailable. Please try again later.'));
  }
  if (!state.faults.rateLimiter.take()) {
    state.stats.rateLimited++;
    return fail(rateLimited());
  }
  const apiKey = authenticate(header(req, 'authorization'));
  if (typeof apiKey !== 'string') return fail(apiKey);

  let raw: string;
  try {
    raw = await readBody(req);
  } catch {
    return fail(invalidRequest('Request body too large.', undefined, undefined, 413));
  }
  if (match === null) return fail(unrecognizedUrl(method, path));
  if (state.faults.shouldInjectError()) {
    state.stats.errorsInjected++;
    return fail(apiError(500, 'An unknown error occurred'));
  }

  let params: ParamMap;
  try {
    params = parseForm(raw, parseForm(query));
  } catch (err) {
    if (err instanceof StripeApiError) return fail(err);
    throw err;
  }

  let claim: IdempotencyClaim | undefined;
  if (idempotencyKey !== undefined) {
    if (idempotencyKey.length > 255) return fail(idempotencyKeyTooLong());
    const outcome = state.idempotency.begin(`${apiKey} ${method} ${path}`, idempotencyKey, `${query}\n${raw}`, params);
    if (outcome.kind === 'mismatch') return fail(idempotencyMismatch(idempotencyKey));
    if (outcome.kind === 'in_flight') return fail(idempotencyKeyInUse(idempotencyKey));
    if (outcome.kind === 'replay') {
      await addLatency();
      const { status, body, requestId: original } = outcome.response;
      sendJson(res, status, body, { ...headers, 'Idempotent-Replayed': 'true', 'Original-Request': original });
      return;
    }
    claim = outcome.claim;
  }

  // Latency sits between claiming the key and doing the work, so a concurrent request with
  // the same key sees it in flight (409), as it would on Stripe.
  await addLatency();
  const result = execute(state, match, params, requestId, idempotencyKey);
  const body = JSON.stringify(result.body);
  if (claim !== undefined) {
    // Stripe saves no result when the parameters fail validation (400), nor for 5xx: a
    // corrected retry with the same key is then executed, not refused.
    if (result.status < 500 && result.status !== 400) claim.commit({ status: result.status, body, requestId });
    else claim.release();
  }
  if (match.route.write && result.status < 300) state.stats.writes++;
  sendJson(res, result.status, body, headers);
}
