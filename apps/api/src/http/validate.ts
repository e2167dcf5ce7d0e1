import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { AppError } from '@cs/platform';

export interface RequestSchemas {
  params?: z.ZodType | undefined;
  query?: z.ZodType | undefined;
  body?: z.ZodType | undefined;
}

export interface Validated {
  params: unknown;
  query: unknown;
  body: unknown;
}

function issues(where: string, error: z.ZodError) {
  return error.issues.map((i) => ({
    in: where,
    path: i.path.join('.'),
    code: i.code,
    message: i.code === 'unrecognized_keys' ? `unknown field(s): ${(i as { keys: string[] }).keys.join(', ')}` : i.message,
  }));
}

// Text Postgres cannot store (in text or jsonb columns): NUL, and UTF-16 surrogates not in a pair.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The path of the first string value, at any depth, that Postgres would refuse; undefined when there is none. */
function unstorable(value: unknown, path: string[] = []): string[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') || LONE_SURROGATE.test(value) ? path : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, v] of Object.entries(value)) {
    const found = unstorable(v, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

/**
 * Parses params, query and body against the route's strict schemas and puts the typed values on
 * res.locals.valid. Any failure is one 422 listing every problem, before any work is done.
 */
export function validate(schemas: RequestSchemas): RequestHandler {
  return (req, res, next) => {
    const problems: ReturnType<typeof issues> = [];
    const valid: Validated = { params: undefined, query: undefined, body: undefined };
    for (const where of ['params', 'query', 'body'] as const) {
      const schema = schemas[where];
      if (!schema) continue;
      const input = where === 'body' ? (req.body ?? {}) : where === 'query' ? { ...req.query } : { ...req.params };
      const bad = unstorable(input);
      if (bad) {
        problems.push({ in: where, path: bad.join('.'), code: 'invalid_format', message: 'must not contain NUL characters or unpaired UTF-16 surrogates' });
        continue;
      }
      const parsed = schema.safeParse(input);
      if (parsed.success) valid[where] = parsed.data;
      else problems.push(...issues(where, parsed.error));
    }
    if (problems.length > 0) {
      next(new AppError(422, 'validation_failed', problems.map((p) => `${p.path || p.in}: ${p.message}`).join('; '), problems));
      return;
    }
    res.locals.valid = valid;
    next();
  };
}
