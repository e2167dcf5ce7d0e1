import type { Request, RequestHandler } from 'express';
import { httpRequestDuration } from './metric-catalog';
import { metricsText } from './metrics';

/** Probes and scrapes are not traffic: counting them would drown the request rate of a quiet service. */
const UNCOUNTED = /^\/(health(\/|$)|metrics$)/;

/**
 * The route label is the matched pattern (`/api/v1/customers/:id`), never the URL, so that the
 * label set stays bounded whatever clients send. No route: "unmatched" for a 404, else "other"
 * (answered before any route matched: the API key check's 401s, the Swagger UI's static files).
 */
export function routeLabel(req: Request, status: number): string {
  const pattern: unknown = req.route?.path;
  if (typeof pattern === 'string') return `${req.baseUrl}${pattern}`;
  return status === 404 ? 'unmatched' : 'other';
}

/** Records http_request_duration_seconds{method, route, status} when each response finishes. */
export const httpMetrics: RequestHandler = (req, res, next) => {
  if (UNCOUNTED.test(req.path)) return next();
  const start = process.hrtime.bigint();
  res.once('finish', () => {
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    httpRequestDuration().observe({ method: req.method, route: routeLabel(req, res.statusCode), status: String(res.statusCode) }, seconds);
  });
  next();
};

/** GET /metrics in Prometheus text format. Open like /health: it carries no customer data. */
export const metricsHandler: RequestHandler = async (_req, res) => {
  const { contentType, body } = await metricsText();
  res.set('Content-Type', contentType).send(body);
};
