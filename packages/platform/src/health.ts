import { Router } from 'express';

export type HealthCheck = () => Promise<unknown>;

export interface HealthInfo {
  environment: string;
  version: string;
  /** Names as they appear in the report, e.g. database, kafka, stripe. */
  checks: Record<string, HealthCheck>;
  /**
   * Reported like the checks but never making the report unhealthy: dependencies this process
   * does not need to do its own work (the API never calls Stripe), shown for the operator. One
   * that resolves with a string is reported with that text.
   */
  advisory?: Record<string, HealthCheck>;
  /** What a passing check is reported as, per name (default "ok"). */
  okText?: Record<string, string>;
  timeoutMs?: number;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

async function runAll(checks: Record<string, HealthCheck>, info: HealthInfo, advisory: boolean) {
  return Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        const said = await withTimeout(check(), info.timeoutMs ?? 2000);
        // An advisory check may say why it is not checking ("not configured").
        return [name, advisory && typeof said === 'string' ? said : (info.okText?.[name] ?? 'ok')] as const;
      } catch (err) {
        return [name, `error: ${err instanceof Error ? err.message : String(err)}`] as const;
      }
    }),
  );
}

/** Runs every check in parallel; the report names each, and is healthy only if all (but advisory ones) pass. */
export async function runChecks(info: HealthInfo) {
  const [results, advisory] = await Promise.all([runAll(info.checks, info, false), runAll(info.advisory ?? {}, info, true)]);
  const healthy = results.every(([, v]) => !v.startsWith('error'));
  return {
    status: healthy ? 'healthy' : 'unhealthy',
    environment: info.environment,
    version: info.version,
    checks: Object.fromEntries([...results, ...advisory]),
  };
}

/** GET /health is liveness (the process answers); GET /health/ready checks every dependency. */
export function healthRouter(info: HealthInfo): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    // `node`: which Node.js runs the process (the project pins one: .node-version).
    res.json({ status: 'ok', environment: info.environment, version: info.version, node: process.version });
  });
  router.get('/health/ready', async (_req, res) => {
    const report = await runChecks(info);
    res.status(report.status === 'healthy' ? 200 : 503).json(report);
  });
  return router;
}
