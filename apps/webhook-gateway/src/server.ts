import type { Express } from 'express';
import { createHttpApp, finishHttpApp, healthRouter, type HealthCheck, type Logger } from '@cs/platform';
import { webhookRouter, type WebhookDeps } from './webhook-route';

export interface GatewayDeps extends WebhookDeps {
  logger: Logger;
  environment: string;
  version: string;
  checks: Record<string, HealthCheck>;
}

export function buildApp(deps: GatewayDeps): Express {
  const app = createHttpApp(deps.logger);
  app.use(healthRouter({ environment: deps.environment, version: deps.version, checks: deps.checks, okText: { kafka: 'connected' } }));
  app.use(webhookRouter(deps));
  finishHttpApp(app, deps.logger);
  return app;
}
