import type { Express } from 'express';
import { healthRouter, type HealthInfo } from './health';
import { createHttpApp, finishHttpApp } from './http';
import type { Logger } from './logger';

/** A worker's HTTP face on its own port: /health, /health/ready and (when metrics are on) /metrics. */
export function buildHealthApp(logger: Logger, info: HealthInfo): Express {
  const app = createHttpApp(logger);
  app.use(healthRouter(info));
  finishHttpApp(app, logger);
  return app;
}
