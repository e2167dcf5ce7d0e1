import type { IncomingMessage, ServerResponse } from 'node:http';
import { changeMessage, WebhookVerificationError, type WebhookVerifier } from '@cs/integrations';
import { externalChangeEnvelope, type BatchingPublisher } from '@cs/kafka-schemas';
import { AppError, errorResponse, httpRequestDuration, metricsEnabled, requestIdFrom, type Logger } from '@cs/platform';

export interface WebhookDeps {
  verifiers: Map<string, WebhookVerifier>;
  publisher: Pick<BatchingPublisher, 'publish'>;
  logger: Logger;
  onEvent?: (system: string, outcome: 'published' | 'ignored' | 'rejected') => void;
}

export const WEBHOOK_PREFIX = '/api/v1/webhooks/';
const MAX_BODY = 1024 * 1024;
const ROUTE = `${WEBHOOK_PREFIX}:system`;

/** POST /api/v1/webhooks/{system}, and nothing else, goes to the webhook handler. */
export function isWebhookRequest(req: IncomingMessage): boolean {
  return req.method === 'POST' && (req.url ?? '').startsWith(WEBHOOK_PREFIX);
}

/**
 * POST /api/v1/webhooks/{system}: verify the signature on the raw body, publish the change it
 * tells of to sync.inbound as a neutral change (key = the external record's id, acks=all), and
 * only then answer 200. Nothing else:
 * no database, no provider calls, so bursts are absorbed at Kafka's pace.
 *
 * A plain Node handler rather than an Express route: this is the one hot path of the service
 * (Stripe delivers in bursts), and Express's router and middleware plus pino-http took ~24 % of
 * the gateway's CPU per webhook in a profile. It keeps the service's contract: X-Request-Id, the
 * one error shape, an access log line (4xx warn, 5xx error) and http_request_duration_seconds.
 */
export function webhookHandler(deps: WebhookDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const log = deps.logger.child({ module: 'http' });
  const timed = metricsEnabled();
  return (req, res) => {
    const started = process.hrtime.bigint();
    const requestId = requestIdFrom(req.headers['x-request-id']);
    res.setHeader('X-Request-Id', requestId);
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (timed) httpRequestDuration().observe({ method: 'POST', route: ROUTE, status: String(res.statusCode) }, seconds);
      const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
      if (log.isLevelEnabled(level)) log[level]({ req: { id: requestId, method: req.method, url: req.url }, res: { statusCode: res.statusCode }, responseTime: Math.round(seconds * 1000) }, 'request completed');
    });
    handle(deps, req, requestId).then(
      (body) => send(res, 200, body),
      (err: unknown) => {
        const { status, headers, body } = errorResponse(err, requestId, log);
        for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
        send(res, status, body);
      },
    );
  };
}

async function handle(deps: WebhookDeps, req: IncomingMessage, requestId: string): Promise<Record<string, unknown>> {
  const path = (req.url ?? '').split('?')[0]!.slice(WEBHOOK_PREFIX.length);
  const system = decodeSegment(path);
  const verifier = system === null ? undefined : deps.verifiers.get(system);
  if (system === null || !verifier) {
    req.resume(); // read and drop the body, so the connection stays usable
    throw system === null
      ? new AppError(404, 'route_not_found', `no route for POST ${WEBHOOK_PREFIX}${path}`)
      : new AppError(404, 'unknown_system', `no webhook endpoint for "${system}"`);
  }
  const body = await readBody(req);
  let verified;
  try {
    verified = verifier.verify(body, req.headers);
  } catch (err) {
    if (!(err instanceof WebhookVerificationError)) throw err;
    deps.onEvent?.(system, 'rejected');
    throw new AppError(400, 'invalid_webhook', err.message);
  }
  // Stripe retries a non-2xx for days: acknowledge event types we do not sync, and count them.
  const change = verifier.handles(verified.eventType) ? verifier.toChange(verified.event) : null;
  if (!change) {
    deps.onEvent?.(system, 'ignored');
    return { received: true, ignored: verified.eventType };
  }
  // The neutral change goes on the bus: the provider's format ends at its connector.
  const env = externalChangeEnvelope(changeMessage(system, change, 'webhook', requestId));
  try {
    await deps.publisher.publish(change.externalId, env);
  } catch (err) {
    deps.logger.error({ err, eventId: verified.eventId }, 'could not publish webhook event');
    throw new AppError(503, 'kafka_unavailable', 'event not stored; retry later', undefined, { 'Retry-After': '5' });
  }
  deps.onEvent?.(system, 'published');
  return { received: true };
}

/** The one path segment after the prefix (`stripe`), or null for an empty or nested path. */
function decodeSegment(segment: string): string | null {
  if (segment === '' || segment.includes('/')) return null;
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** The raw body, at most 1 MB (413 beyond, said as soon as the length is known). */
function readBody(req: IncomingMessage): Promise<Buffer> {
  const tooLarge = () => new AppError(413, 'payload_too_large', 'request body is too large');
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) {
      req.resume();
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        chunks.length = 0;
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('aborted', () => reject(new AppError(400, 'request_aborted', 'request aborted')));
    req.once('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
