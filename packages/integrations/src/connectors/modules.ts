import path from 'node:path';
import { z } from 'zod';
import { EnvError, parseEnv } from '@cs/platform';
import { defineConnector, type Connector } from '../connector';

/** What a connector module is given to declare itself with (it need not resolve our packages). */
export interface ConnectorSdk {
  z: typeof z;
  defineConnector: typeof defineConnector;
}

/**
 * SYNC_CONNECTOR_MODULES: connectors from outside this build, a comma list of module paths
 * (absolute, or relative to the working directory). Each module exports a function that, given
 * the SDK, returns a connector (or the connector itself, as `connector` or the default export).
 * With SYNC_SYSTEMS naming its system, every app, job and view runs it like a built-in one.
 */
const modulesEnv = z.object({
  SYNC_CONNECTOR_MODULES: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .optional(),
});

function isConnector(value: unknown): value is Connector {
  const c = value as Partial<Connector> | null;
  return !!c && typeof c.system === 'string' && typeof c.connect === 'function' && typeof c.limits === 'function' && typeof (c.env as { safeParse?: unknown } | undefined)?.safeParse === 'function';
}

export function moduleConnectors(source: NodeJS.ProcessEnv): Connector[] {
  const paths = parseEnv(modulesEnv, source).SYNC_CONNECTOR_MODULES ?? [];
  const sdk: ConnectorSdk = { z, defineConnector };
  const problems: string[] = [];
  const found: Connector[] = [];
  for (const modulePath of paths) {
    let exported: unknown;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      exported = require(path.resolve(modulePath));
    } catch (err) {
      problems.push(`SYNC_CONNECTOR_MODULES: cannot load ${modulePath}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      continue;
    }
    const e = exported as { connector?: unknown; default?: unknown };
    const candidate = typeof exported === 'function' ? (exported as (sdk: ConnectorSdk) => unknown)(sdk) : (e.connector ?? e.default);
    const connector = typeof candidate === 'function' ? (candidate as (sdk: ConnectorSdk) => unknown)(sdk) : candidate;
    if (isConnector(connector)) found.push(connector);
    else problems.push(`SYNC_CONNECTOR_MODULES: ${modulePath} exports no connector (a system, env, connect and limits)`);
  }
  if (problems.length > 0) throw new EnvError(problems);
  return found;
}
