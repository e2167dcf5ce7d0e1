import { randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { AppError, errorBody, type ErrorBody } from './errors';
import type { Logger } from './logger';
import { metricsEnabled } from './metrics';
import { httpMetrics, metricsHandler } from './metrics-http';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** A sane incoming X-Request-Id, else a new one. */
export function requestIdFrom(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** Honours a sane incoming X-Request-Id (else makes one), returns it, and keeps it on res.locals. */
export const requestId: RequestHandler = (req, res, next) => {
  const id = requestIdFrom(req.get('x-request-id'));
  res.locals.requestId = id;
  res.setHeader('X-Request-Id', id);
  next();
};

const UNLOGGED = /^\/(health|metrics$)/;

/**
 * One access log line per finished request (health probes and scrapes excluded): info, 4xx warn,
 * 5xx error. In place of pino-http, which built a child logger for every request (serialising it)
 * even when the level then dropped the line: at LOG_LEVEL=warn every 2xx paid for nothing.
 */
function accessLog(logger: Logger): RequestHandler {
  const log = logger.child({ module: 'http' });
  return (req, res, next) => {
    if (UNLOGGED.test(req.url)) return next();
    const started = Date.now();
    res.once('finish', () => {
      const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
      if (!log.isLevelEnabled(level)) return;
      log[level]({ req: { id: String(res.locals.requestId), method: req.method, url: req.originalUrl }, res: { statusCode: res.statusCode }, responseTime: Date.now() - started }, 'request completed');
    });
    next();
  };
}

/**
 * An express app with the pieces every service wants first: request ids, one access log line
 * per request (health probes excluded), no x-powered-by, and — when `initMetrics` turned metrics
 * on for this process — the request histogram and `GET /metrics`. Routes are added by the
 * caller, who then calls `finishHttpApp` to add the 404 and error handlers last.
 */
export function createHttpApp(logger: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(requestId);
  app.use(accessLog(logger));
  if (metricsEnabled()) {
    app.use(httpMetrics);
    app.get('/metrics', metricsHandler);
  }
  return app;
}

/** Maps body-parser failures onto our error codes; they carry `type` and `status`. */
function fromBodyParser(err: { type?: string; status?: number; message?: string }): AppError | undefined {
  switch (err.type) {
    case 'entity.too.large':
      return new AppError(413, 'payload_too_large', 'request body is too large');
    case 'entity.parse.failed':
      return new AppError(400, 'malformed_json', 'request body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(415, 'unsupported_encoding', err.message ?? 'unsupported encoding');
    case 'request.aborted':
      return new AppError(400, 'request_aborted', 'request aborted');
    default:
      return typeof err.status === 'number' && err.status >= 400 && err.status < 500
        ? new AppError(err.status, 'bad_request', 'bad request')
        : undefined;
  }
}

export function finishHttpApp(app: Express, logger: Logger): void {
  app.use((req, _res, next) => next(new AppError(404, 'route_not_found', `no route for ${req.method} ${req.path}`)));
  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    const { status, headers, body } = errorResponse(err instanceof AppError ? err : (fromBodyParser(err ?? {}) ?? err), String(res.locals.requestId), logger);
    res.set(headers).status(status).json(body);
  };
  app.use(onError);
}

/**
 * The one error shape for any thrown value: an AppError as itself (with its headers), anything
 * else logged and answered 500 `internal_error`, whose details never leave the server.
 */
export function errorResponse(err: unknown, requestId: string, logger: Logger): { status: number; headers: Record<string, string>; body: ErrorBody } {
  if (err instanceof AppError) return { status: err.status, headers: err.headers ?? {}, body: errorBody(err.code, err.message, err.details) };
  logger.error({ err, requestId }, 'unhandled error');
  return { status: 500, headers: {}, body: errorBody('internal_error', 'internal error', { request_id: requestId }) };
}
