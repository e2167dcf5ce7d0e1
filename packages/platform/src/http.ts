import { randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import { AppError, errorBody } from './errors';
import type { Logger } from './logger';
import { metricsEnabled } from './metrics';
import { httpMetrics, metricsHandler } from './metrics-http';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Honours a sane incoming X-Request-Id (else makes one), returns it, and keeps it on res.locals. */
export const requestId: RequestHandler = (req, res, next) => {
  const incoming = req.get('x-request-id');
  const id = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.locals.requestId = id;
  res.setHeader('X-Request-Id', id);
  next();
};

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
  app.use(
    pinoHttp({
      logger: logger.child({ module: 'http' }),
      genReqId: (_req, res) => String((res as express.Response).locals?.requestId ?? randomUUID()),
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') || req.url === '/metrics' },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      serializers: {
        req: (req: { method: string; url: string; id: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
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
    const known = err instanceof AppError ? err : fromBodyParser(err ?? {});
    if (!known) {
      logger.error({ err, requestId: res.locals.requestId }, 'unhandled error');
      res.status(500).json(errorBody('internal_error', 'internal error', { request_id: res.locals.requestId }));
      return;
    }
    if (known.headers) res.set(known.headers);
    res.status(known.status).json(errorBody(known.code, known.message, known.details));
  };
  app.use(onError);
}
