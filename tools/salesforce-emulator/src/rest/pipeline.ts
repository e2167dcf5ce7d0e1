import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, header, readBody, sendJson, sleep } from '../http/io';
import type { EmulatorState } from '../state';
import { invalidSession, jsonParseError, notFound, requestLimitExceeded, serverUnavailable, SfError } from './errors';
import { matchRestRoute } from './routes';
import type { RestResult } from './types';
import { apiWriteContext } from './write-context';

const VERSIONED = /^\/services\/data\/v(\d{2,3}\.\d)(?:\/(.*))?$/;

function bearer(req: IncomingMessage): string | undefined {
  const auth = header(req, 'authorization');
  const m = auth === undefined ? null : /^(?:Bearer|OAuth)\s+(.+)$/i.exec(auth);
  return m?.[1]?.trim();
}

function splitParts(rest: string | undefined): string[] | null {
  if (rest === undefined || rest === '') return [];
  try {
    return rest.split('/').filter((p) => p !== '').map((p) => decodeURIComponent(p));
  } catch {
    return null;
  }
}

/**
 * One /services/data request, in the order Salesforce's edge applies things: outage and injected
 * 503s (before any state change), session, daily quota (each call counts 1), body, latency, the
 * handler. Every answer after the session check carries Sforce-Limit-Info.
 */
export async function handleRestRequest(state: EmulatorState, req: IncomingMessage, res: ServerResponse, path: string, query: string): Promise<void> {
  const method = req.method ?? 'GET';
  const m = VERSIONED.exec(path);
  const version = m?.[1] ?? '';
  const parts = m === null ? null : splitParts(m[2]);
  const route = parts === null ? null : matchRestRoute(method, parts);
  state.stats.countRequest(route?.key ?? 'unmatched');
  const headers: Record<string, string> = {};
  const send = async (result: RestResult): Promise<void> => {
    if (state.faults.settings.latency_ms > 0) await sleep(state.faults.settings.latency_ms);
    if (result.body === undefined) {
      if (!res.headersSent && !res.destroyed) res.writeHead(result.status, headers).end();
      return;
    }
    sendJson(res, result.status, JSON.stringify(result.body), headers);
  };
  const fail = (err: SfError): Promise<void> => send({ status: err.status, body: err.body() });

  if (path === '/services/data') {
    return send({ status: 200, body: [{ label: "Winter '26", url: '/services/data/v65.0', version: '65.0' }, { label: "Summer '25", url: '/services/data/v64.0', version: '64.0' }] });
  }
  if (state.faults.settings.outage) {
    state.stats.errorsInjected++;
    return fail(serverUnavailable());
  }
  if (state.faults.shouldFailRequest()) {
    state.stats.errorsInjected++;
    return fail(serverUnavailable());
  }
  if (!state.sessions.isValid(bearer(req))) return fail(invalidSession());
  if (!state.quota.take()) {
    state.stats.rejectedForQuota++;
    headers['Sforce-Limit-Info'] = state.quota.header;
    return fail(requestLimitExceeded());
  }
  headers['Sforce-Limit-Info'] = state.quota.header;

  let raw: string;
  try {
    raw = await readBody(req);
  } catch (err) {
    if (err instanceof BodyTooLargeError) return fail(new SfError(413, 'REQUEST_ENTITY_TOO_LARGE', err.message, undefined));
    throw err;
  }
  if (route === null || parts === null) return fail(notFound());
  let body: unknown;
  if (raw.trim() !== '') {
    try {
      body = JSON.parse(raw) as unknown;
    } catch (err) {
      return fail(jsonParseError(`Unexpected character in the request body: ${(err as Error).message}`));
    }
  }

  let result: RestResult;
  try {
    result = route.handle({ state, req, version, parts, query: new URLSearchParams(query), body, ctx: apiWriteContext(version, header(req, 'sforce-call-options')) });
  } catch (err) {
    if (!(err instanceof SfError)) throw err;
    result = { status: err.status, body: err.body() };
  }
  return send(result);
}
