import type { Express } from 'express';
import { createHttpApp, finishHttpApp, healthRouter, type HealthCheck, type Logger } from '@cs/platform';

export interface ApiDeps {
  logger: Logger;
  environment: string;
  version: string;
  checks: Record<string, HealthCheck>;
}

/** Builds the app without listening, so tests can drive it with supertest. */
export function buildApp(deps: ApiDeps): Express {
  const app = createHttpApp(deps.logger);
  app.use(healthRouter({ environment: deps.environment, version: deps.version, checks: deps.checks, okText: { database: 'connected', kafka: 'connected' } }));
  finishHttpApp(app, deps.logger);
  return app;
}
