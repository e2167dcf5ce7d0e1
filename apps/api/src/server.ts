import type { ErrorRequestHandler, Express, RequestHandler } from 'express';
import swaggerUi from 'swagger-ui-express';
import { DomainError, type CustomerService, type DeadLetterService, type InvoiceService, type MikroORM, type Republish } from '@cs/domain';
import { AppError, createHttpApp, finishHttpApp, healthRouter, type HealthCheck, type Logger } from '@cs/platform';
import type { ApiKey } from './api-keys';
import { bearerAuth } from './http/auth';
import { consoleStatic } from './http/console';
import { jsonBody, optionalJsonBody } from './http/json-body';
import { rateLimit, type RateLimit } from './http/rate-limit';
import { validate, type Validated } from './http/validate';
import { openApiDocument } from './openapi';
import { expressPath, routes, type RouteDeps } from './routes';

export interface ApiDeps {
  logger: Logger;
  environment: string;
  version: string;
  checks: Record<string, HealthCheck>;
  /** Shown on /health/ready without deciding it (the external systems: the API never calls them). */
  advisory?: Record<string, HealthCheck>;
  /** What a passing advisory check says, per system ("authenticated"). */
  okText?: Record<string, string>;
  /** The enabled systems (SYNC_SYSTEMS), listed in every customer's sync status. */
  systems: readonly string[];
  customers: CustomerService;
  invoices: InvoiceService;
  orm: MikroORM;
  deadLetters: DeadLetterService;
  /** Re-publishes a replayed dead letter onto its topic (index.ts: the API's Kafka producer). */
  republish: Republish;
  /** undefined = no auth (allowed outside production only; index.ts enforces that). */
  apiKeys: ApiKey[] | undefined;
  /** Per key (per address when open); undefined = no limit. */
  rateLimit?: RateLimit | undefined;
}

const STATUS: Record<DomainError['code'], number> = {
  customer_not_found: 404,
  email_taken: 409,
  version_conflict: 412,
  dead_letter_not_found: 404,
  dead_letter_resolved: 409,
  dead_letter_not_replayable: 409,
  customer_has_open_invoices: 409,
  invoice_not_found: 404,
  invoice_not_draft: 409,
  invoice_has_no_lines: 409,
  invalid_transition: 409,
  validation_failed: 422,
};

/** Builds the app without listening, so tests can drive it with supertest. */
export function buildApp(deps: ApiDeps): Express {
  const app = createHttpApp(deps.logger);
  app.use(
    healthRouter({
      environment: deps.environment,
      version: deps.version,
      checks: deps.checks,
      ...(deps.advisory ? { advisory: deps.advisory } : {}),
      okText: { database: 'connected', kafka: 'connected', ...deps.okText },
    }),
  );

  // Documentation is public: it describes the API, it holds no data.
  const doc = openApiDocument(routes, deps.version);
  app.get('/api/v1/openapi.json', (_req, res) => {
    res.json(doc);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(doc, { customSiteTitle: 'customer-sync API' }));
  // The sync console's files are public too: they hold no data, and every call they make carries the key.
  app.use('/console', consoleStatic());

  if (deps.apiKeys) app.use('/api', bearerAuth(deps.apiKeys));
  // After the key check, which names the bucket; health and metrics were answered above.
  if (deps.rateLimit) app.use('/api', rateLimit(deps.rateLimit));
  const routeDeps: RouteDeps = { logger: deps.logger, customers: deps.customers, invoices: deps.invoices, orm: deps.orm, deadLetters: deps.deadLetters, republish: deps.republish, systems: deps.systems };
  for (const route of routes) {
    const run: RequestHandler = async (req, res) => {
      const valid = res.locals.valid as Validated;
      await route.handler({ params: valid.params, query: valid.query, body: valid.body, req, res, deps: routeDeps } as never);
    };
    const middleware: RequestHandler[] = [];
    if (route.body) middleware.push(route.bodyOptional ? optionalJsonBody : jsonBody);
    middleware.push(validate(route), run);
    app[route.method](expressPath(route.path), ...middleware);
  }

  const domainErrors: ErrorRequestHandler = (err, _req, _res, next) => {
    next(err instanceof DomainError ? new AppError(STATUS[err.code], err.code, err.message, err.details) : err);
  };
  app.use(domainErrors);
  finishHttpApp(app, deps.logger);
  return app;
}
