import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHttpApp, finishHttpApp, healthRouter, type HealthCheck, type Logger } from '@cs/platform';
import { isWebhookRequest, webhookHandler, type WebhookDeps } from './webhook-route';

export interface GatewayDeps extends WebhookDeps {
  logger: Logger;
  environment: string;
  version: string;
  checks: Record<string, HealthCheck>;
}

/** The gateway's request listener: webhooks take the lean path, everything else (health, metrics, 404s) the Express app. */
export function buildApp(deps: GatewayDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const app = createHttpApp(deps.logger);
  app.use(healthRouter({ environment: deps.environment, version: deps.version, checks: deps.checks, okText: { kafka: 'connected' } }));
  finishHttpApp(app, deps.logger);
  const webhook = webhookHandler(deps);
  return (req, res) => (isWebhookRequest(req) ? webhook(req, res) : app(req, res));
}
