import { z } from 'zod';
import { EnvError, parseEnv } from '@cs/platform';
import type { Connector, ConnectorHooks, ConnectorLimits } from '../connector';
import { IntegrationRegistry } from '../registry';
import type { WebhookVerifier } from '../types';
import { BUILT_IN_CONNECTORS } from './catalogue';
import { moduleConnectors } from './modules';

type Source = NodeJS.ProcessEnv;

const systemName = /^[a-z][a-z0-9_-]{0,49}$/;

/** SYNC_SYSTEMS: the systems this deployment keeps in sync, a comma list (default: stripe). */
const systemsEnv = z.object({
  SYNC_SYSTEMS: z
    .string()
    .default('stripe')
    .transform((v) => [...new Set(v.split(',').map((s) => s.trim()).filter(Boolean))])
    .refine((list) => list.length > 0 && list.every((s) => systemName.test(s)), 'expected a comma list of system names, e.g. stripe'),
});

/** The connectors this process knows: those built in, and those SYNC_CONNECTOR_MODULES adds. */
export function knownConnectors(source: Source = process.env): Connector[] {
  const added = moduleConnectors(source);
  const clash = added.filter((c) => BUILT_IN_CONNECTORS.some((b) => b.system === c.system));
  if (clash.length > 0) throw new EnvError(clash.map((c) => `SYNC_CONNECTOR_MODULES: system "${c.system}" is built in already`));
  return [...BUILT_IN_CONNECTORS, ...added];
}

/** The systems SYNC_SYSTEMS enables, each a known connector (throws EnvError, one line per problem). */
export function enabledConnectors(source: Source = process.env, known: readonly Connector[] = knownConnectors(source)): Connector[] {
  const { SYNC_SYSTEMS } = parseEnv(systemsEnv, source);
  const byName = new Map(known.map((c) => [c.system, c]));
  const unknown = SYNC_SYSTEMS.filter((s) => !byName.has(s));
  if (unknown.length > 0) {
    throw new EnvError(unknown.map((s) => `SYNC_SYSTEMS: unknown system "${s}" (known: ${[...byName.keys()].join(', ')})`));
  }
  return SYNC_SYSTEMS.map((s) => byName.get(s)!);
}

/** The names of the enabled systems (for status views that list every system). */
export function enabledSystems(source: Source = process.env, known?: readonly Connector[]): string[] {
  return enabledConnectors(source, known).map((c) => c.system);
}

export interface LoadedConnectors {
  registry: IntegrationRegistry;
  limits: Map<string, ConnectorLimits>;
  okText: Record<string, string>;
}

/**
 * Builds every enabled system's client from its own environment. A system that is not enabled
 * needs none of its variables; every problem of every enabled one is reported at once.
 */
export function loadConnectors(source: Source = process.env, hooks: ConnectorHooks = {}, known?: readonly Connector[]): LoadedConnectors {
  const registry = new IntegrationRegistry();
  const limits = new Map<string, ConnectorLimits>();
  const okText: Record<string, string> = {};
  const problems: string[] = [];
  for (const connector of enabledConnectors(source, known)) {
    let env: Record<string, unknown>;
    try {
      env = parseEnv(connector.env as z.ZodObject, source);
    } catch (err) {
      if (!(err instanceof EnvError)) throw err;
      problems.push(...err.problems);
      continue;
    }
    registry.register(connector.connect(env, hooks));
    limits.set(connector.system, connector.limits(env));
    okText[connector.system] = connector.okText;
  }
  if (problems.length > 0) throw new EnvError(problems);
  return { registry, limits, okText };
}

/** What the gateway needs: a verifier for each enabled system that sends webhooks. */
export function loadWebhookVerifiers(source: Source = process.env, known?: readonly Connector[]): Map<string, WebhookVerifier> {
  const verifiers = new Map<string, WebhookVerifier>();
  const problems: string[] = [];
  for (const connector of enabledConnectors(source, known)) {
    if (!connector.webhookEnv || !connector.webhookVerifier) continue;
    try {
      verifiers.set(connector.system, connector.webhookVerifier(parseEnv(connector.webhookEnv as z.ZodObject, source)));
    } catch (err) {
      if (!(err instanceof EnvError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (problems.length > 0) throw new EnvError(problems);
  return verifiers;
}

/**
 * For a process that only shows the systems (the API's /health/ready): each enabled system's
 * client, or why it cannot be built here ("not configured (STRIPE_SECRET_KEY: required but not set)").
 */
export function probeConnectors(source: Source = process.env, hooks: ConnectorHooks = {}, known?: readonly Connector[]) {
  return enabledConnectors(source, known).map((connector) => {
    try {
      return { system: connector.system, okText: connector.okText, integration: connector.connect(parseEnv(connector.env as z.ZodObject, source), hooks) };
    } catch (err) {
      if (!(err instanceof EnvError)) throw err;
      return { system: connector.system, okText: connector.okText, notConfigured: err.problems.join('; ') };
    }
  });
}
